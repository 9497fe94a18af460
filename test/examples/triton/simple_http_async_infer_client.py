"""Re-implements Triton's simple_http_async_infer_client.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/simple_http_async_infer_client.py).

Two `async_infer` calls to `simple` in flight at once (client concurrency 2), binary inputs and
outputs, each result's sum and difference checked.
"""

import numpy as np
import tritonclient.http as httpclient

from _common import check_sum_and_difference, parse_url


def main():
    flags = parse_url(8000)
    client = httpclient.InferenceServerClient(url=flags.url, verbose=flags.verbose, concurrency=2)
    a = np.arange(16, dtype=np.int32).reshape(1, 16)
    b = np.ones((1, 16), dtype=np.int32)
    inputs = [httpclient.InferInput("INPUT0", [1, 16], "INT32"), httpclient.InferInput("INPUT1", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(a, binary_data=True)
    inputs[1].set_data_from_numpy(b, binary_data=True)
    outputs = [
        httpclient.InferRequestedOutput("OUTPUT0", binary_data=True),
        httpclient.InferRequestedOutput("OUTPUT1", binary_data=True),
    ]
    pending = [client.async_infer(model_name="simple", inputs=inputs, outputs=outputs) for _ in range(2)]
    for request in pending:
        result = request.get_result()
        check_sum_and_difference(a, b, result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1"))
    print("PASS: simple_http_async_infer_client")


if __name__ == "__main__":
    main()
