"""Re-implements Triton's simple_grpc_infer_client.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/simple_grpc_infer_client.py).

`simple` over gRPC with both outputs named and a custom header, one model in the statistics, the
sum and difference checked; then the same with no outputs named.
"""

import numpy as np
import tritonclient.grpc as grpcclient

from _common import check, check_sum_and_difference, parse_url


def main():
    flags = parse_url(8001)
    client = grpcclient.InferenceServerClient(url=flags.url, verbose=flags.verbose)
    a = np.arange(16, dtype=np.int32).reshape(1, 16)
    b = np.ones((1, 16), dtype=np.int32)
    inputs = [grpcclient.InferInput("INPUT0", [1, 16], "INT32"), grpcclient.InferInput("INPUT1", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(a)
    inputs[1].set_data_from_numpy(b)
    outputs = [grpcclient.InferRequestedOutput("OUTPUT0"), grpcclient.InferRequestedOutput("OUTPUT1")]

    result = client.infer(model_name="simple", inputs=inputs, outputs=outputs, headers={"test": "1"})
    statistics = client.get_inference_statistics(model_name="simple")
    check(len(statistics.model_stats) == 1, f"statistics of one model expected: {statistics}")
    check_sum_and_difference(a, b, result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1"))

    result = client.infer(model_name="simple", inputs=inputs, outputs=None)
    check_sum_and_difference(a, b, result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1"))
    print("PASS: simple_grpc_infer_client")


if __name__ == "__main__":
    main()
