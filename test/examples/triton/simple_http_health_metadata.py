"""Re-implements Triton's simple_http_health_metadata.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/simple_http_health_metadata.py).

Server live (with query parameters) and ready, `simple` ready; server metadata named "triton" (the
test serves with --server-name triton); `simple`'s metadata named "simple"; metadata of an unknown
model refused with "Request for unknown model" in the message.
"""

import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from _common import check, parse_url


def main():
    flags = parse_url(8000)
    client = httpclient.InferenceServerClient(url=flags.url, verbose=flags.verbose)
    check(client.is_server_live(query_params={"test_1": 1, "test_2": 2}), "server not live")
    check(client.is_server_ready(), "server not ready")
    check(client.is_model_ready("simple"), "simple not ready")
    metadata = client.get_server_metadata()
    check(metadata["name"] == "triton", f"server metadata: {metadata}")
    metadata = client.get_model_metadata("simple", query_params={"test_1": 1, "test_2": 2})
    check(metadata["name"] == "simple", f"model metadata: {metadata}")
    try:
        client.get_model_metadata("wrong_model_name")
        check(False, "metadata of an unknown model was answered")
    except InferenceServerException as e:
        check("Request for unknown model" in e.message(), f"unexpected message: {e.message()}")
    print("PASS: simple_http_health_metadata")


if __name__ == "__main__":
    main()
