"""Re-implements Triton's simple_grpc_keepalive_client.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/simple_grpc_keepalive_client.py).

A gRPC client with KeepAliveOptions (upstream's defaults: time INT_MAX, timeout 20 s, no pings
without calls, at most 2 pings without data) runs `simple` and checks the sum and difference.
"""

import numpy as np
import tritonclient.grpc as grpcclient

from _common import check_sum_and_difference, parse_url


def main():
    flags = parse_url(8001)
    keepalive = grpcclient.KeepAliveOptions(
        keepalive_time_ms=2**31 - 1,
        keepalive_timeout_ms=20000,
        keepalive_permit_without_calls=False,
        http2_max_pings_without_data=2,
    )
    client = grpcclient.InferenceServerClient(url=flags.url, verbose=flags.verbose, keepalive_options=keepalive)
    a = np.arange(16, dtype=np.int32).reshape(1, 16)
    b = np.ones((1, 16), dtype=np.int32)
    inputs = [grpcclient.InferInput("INPUT0", [1, 16], "INT32"), grpcclient.InferInput("INPUT1", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(a)
    inputs[1].set_data_from_numpy(b)
    outputs = [grpcclient.InferRequestedOutput("OUTPUT0"), grpcclient.InferRequestedOutput("OUTPUT1")]
    result = client.infer(model_name="simple", inputs=inputs, outputs=outputs, headers={"test": "1"})
    check_sum_and_difference(a, b, result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1"))
    print("PASS: simple_grpc_keepalive_client")


if __name__ == "__main__":
    main()
