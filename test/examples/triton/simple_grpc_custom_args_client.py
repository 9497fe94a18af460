"""Re-implements Triton's simple_grpc_custom_args_client.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/simple_grpc_custom_args_client.py).

A gRPC client built with custom channel arguments (1 MB message limits, keepalive settings, SRV
queries) runs `simple` and checks the sum and difference.
"""

import numpy as np
import tritonclient.grpc as grpcclient

from _common import check_sum_and_difference, parse_url


def main():
    flags = parse_url(8001)
    channel_args = [
        ("grpc.max_send_message_length", 1024 * 1024),
        ("grpc.max_receive_message_length", 1024 * 1024),
        ("grpc.keepalive_time_ms", 2**31 - 1),
        ("grpc.keepalive_timeout_ms", 20000),
        ("grpc.keepalive_permit_without_calls", False),
        ("grpc.http2.max_pings_without_data", 2),
        ("grpc.dns_enable_srv_queries", 1),
    ]
    client = grpcclient.InferenceServerClient(url=flags.url, verbose=flags.verbose, channel_args=channel_args)
    a = np.arange(16, dtype=np.int32).reshape(1, 16)
    b = np.ones((1, 16), dtype=np.int32)
    inputs = [grpcclient.InferInput("INPUT0", [1, 16], "INT32"), grpcclient.InferInput("INPUT1", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(a)
    inputs[1].set_data_from_numpy(b)
    outputs = [grpcclient.InferRequestedOutput("OUTPUT0"), grpcclient.InferRequestedOutput("OUTPUT1")]
    result = client.infer(model_name="simple", inputs=inputs, outputs=outputs, headers={"test": "1"})
    check_sum_and_difference(a, b, result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1"))
    print("PASS: simple_grpc_custom_args_client")


if __name__ == "__main__":
    main()
