"""Re-implements Triton's simple_http_model_control.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/simple_http_model_control.py).

Against a server in explicit control mode over a repository of seven models: the repository index
lists seven; `simple` loads and is ready; a load whose config override is not JSON fails with
"failed to load" in the message; a load with {"max_batch_size":"16"} makes get_model_config report
16; `simple` unloads and is no longer ready; loading an unknown model fails with "failed to load".
"""

import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from _common import check, parse_url


def main():
    flags = parse_url(8000)
    client = httpclient.InferenceServerClient(url=flags.url, verbose=flags.verbose)
    index = client.get_model_repository_index()
    check(len(index) == 7, f"seven models expected in the index: {index}")
    client.load_model("simple")
    check(client.is_model_ready("simple"), "simple not ready after load")
    try:
        client.load_model("simple", config='"parameters": {"config": {{"max_batch_size": "16"}}}')
        check(False, "a malformed config override was accepted")
    except InferenceServerException as e:
        check("failed to load" in e.message(), f"unexpected message: {e.message()}")
    client.load_model("simple", config='{"max_batch_size":"16"}')
    config = client.get_model_config("simple")
    check(config["max_batch_size"] == 16, f"max_batch_size 16 expected: {config}")
    client.unload_model("simple")
    check(not client.is_model_ready("simple"), "simple still ready after unload")
    try:
        client.load_model("wrong_model_name")
        check(False, "an unknown model loaded")
    except InferenceServerException as e:
        check("failed to load" in e.message(), f"unexpected message: {e.message()}")
    print("PASS: simple_http_model_control")


if __name__ == "__main__":
    main()
