"""Re-implements Triton's simple_http_infer_client.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/simple_http_infer_client.py).

Against `simple` over HTTP: INPUT0 as JSON and INPUT1 as binary data, OUTPUT0 asked for as binary
and OUTPUT1 as JSON, with query parameters; the sum and difference checked; one model in the
statistics; the same call with no outputs named; an unknown model refused with a message that
starts "Request for unknown model".
"""

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

from _common import check, check_sum_and_difference, parse_url


def infer(client, model, a, b, with_outputs):
    inputs = [httpclient.InferInput("INPUT0", [1, 16], "INT32"), httpclient.InferInput("INPUT1", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(a, binary_data=False)
    inputs[1].set_data_from_numpy(b, binary_data=True)
    outputs = (
        [
            httpclient.InferRequestedOutput("OUTPUT0", binary_data=True),
            httpclient.InferRequestedOutput("OUTPUT1", binary_data=False),
        ]
        if with_outputs
        else None
    )
    return client.infer(model, inputs, outputs=outputs, query_params={"test_1": 1, "test_2": 2})


def main():
    flags = parse_url(8000)
    client = httpclient.InferenceServerClient(url=flags.url, verbose=flags.verbose)
    a = np.arange(16, dtype=np.int32).reshape(1, 16)
    b = np.full((1, 16), -1, dtype=np.int32)

    result = infer(client, "simple", a, b, True)
    statistics = client.get_inference_statistics(model_name="simple")
    check(len(statistics["model_stats"]) == 1, f"statistics of one model expected: {statistics}")
    check_sum_and_difference(a, b, result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1"))

    result = infer(client, "simple", a, b, False)
    check_sum_and_difference(a, b, result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1"))

    try:
        infer(client, "wrong_model_name", a, b, True)
        check(False, "an unknown model was served")
    except InferenceServerException as e:
        check(e.message().startswith("Request for unknown model"), f"unexpected message: {e.message()}")
    print("PASS: simple_http_infer_client")


if __name__ == "__main__":
    main()
