"""Re-implements Triton's simple_grpc_health_metadata.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/simple_grpc_health_metadata.py).

Over gRPC: server live (with headers) and ready, `simple` ready, server metadata named "triton"
(the test serves with --server-name triton), `simple`'s metadata, an unknown model's metadata
refused with "Request for unknown model", and get_model_config naming `simple`.
"""

import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException

from _common import check, parse_url


def main():
    flags = parse_url(8001)
    client = grpcclient.InferenceServerClient(url=flags.url, verbose=flags.verbose)
    check(client.is_server_live(headers={"test": "1", "dummy": "2"}), "server not live")
    check(client.is_server_ready(), "server not ready")
    check(client.is_model_ready("simple"), "simple not ready")
    metadata = client.get_server_metadata()
    check(metadata.name == "triton", f"server metadata: {metadata}")
    metadata = client.get_model_metadata("simple", headers={"test": "1", "dummy": "2"})
    check(metadata.name == "simple", f"model metadata: {metadata}")
    try:
        client.get_model_metadata("wrong_model_name")
        check(False, "metadata of an unknown model was answered")
    except InferenceServerException as e:
        check("Request for unknown model" in e.message(), f"unexpected message: {e.message()}")
    config = client.get_model_config("simple")
    check(config.config.name == "simple", f"model config: {config}")
    print("PASS: simple_grpc_health_metadata")


if __name__ == "__main__":
    main()
