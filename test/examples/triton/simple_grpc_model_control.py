"""Re-implements Triton's simple_grpc_model_control.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/simple_grpc_model_control.py).

Over gRPC, against a server in explicit control mode over a repository of eight models: the index
lists eight; `simple` loads and is ready; a config override that is not JSON fails with "failed to
load"; {"max_batch_size":"16"} makes get_model_config report 16; `simple` unloads; a load with a
`file:` override whose path component is longer than NAME_MAX is refused and the server stays
live; loading an unknown model fails with "failed to load".

One deliberate difference: upstream expects Triton's answer to the `file:` override, INTERNAL
"failed to poll from model repository" (its own comment says INVALID_ARGUMENT would be more
appropriate). tensorwire serves no `file:` overrides (they let a client write model files) and
refuses them all as UNIMPLEMENTED, which this script checks instead.
"""

import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException

from _common import check, parse_url


def main():
    flags = parse_url(8001)
    client = grpcclient.InferenceServerClient(url=flags.url, verbose=flags.verbose)
    index = client.get_model_repository_index()
    check(len(index.models) == 8, f"eight models expected in the index: {index}")
    client.load_model("simple")
    check(client.is_model_ready("simple"), "simple not ready after load")
    try:
        client.load_model("simple", config='"parameters": {"config": {{"max_batch_size": "16"}}}')
        check(False, "a malformed config override was accepted")
    except InferenceServerException as e:
        check("failed to load" in e.message(), f"unexpected message: {e.message()}")
    client.load_model("simple", config='{"max_batch_size":"16"}')
    config = client.get_model_config("simple")
    check(config.config.max_batch_size == 16, f"max_batch_size 16 expected: {config}")
    client.unload_model("simple")
    check(not client.is_model_ready("simple"), "simple still ready after unload")
    try:
        client.load_model("simple", config="{}", files={"file:" + "A" * 256: b"a"})
        check(False, "a file override was accepted")
    except InferenceServerException as e:
        check(e.status() == "StatusCode.UNIMPLEMENTED", f"unexpected status {e.status()}: {e.message()}")
    check(client.is_server_live(), "server not live after a refused load")
    try:
        client.load_model("wrong_model_name")
        check(False, "an unknown model loaded")
    except InferenceServerException as e:
        check("failed to load" in e.message(), f"unexpected message: {e.message()}")
    print("PASS: simple_grpc_model_control")


if __name__ == "__main__":
    main()
