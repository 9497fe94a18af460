"""Re-implements Triton's memory_growth_test.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/memory_growth_test.py).

Creates a new client for each of `-r` repetitions (default 100, as upstream) and runs
`custom_identity_int32` (INPUT0 INT32 [1,16] → OUTPUT0), checking datatype, shape and values each
time, over HTTP or gRPC (`-i`). Upstream connects to localhost:8000/8001; this one takes `-u`.
"""

import argparse

import numpy as np

from _common import check


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-u", "--url", required=True)
    parser.add_argument("-i", "--protocol", default="HTTP")
    parser.add_argument("-r", "--repetitions", type=int, default=100)
    flags = parser.parse_args()
    if flags.protocol.lower() == "grpc":
        import tritonclient.grpc as client_module
    else:
        import tritonclient.http as client_module
    data = np.arange(16, dtype=np.int32).reshape(1, 16)
    for _ in range(flags.repetitions):
        client = client_module.InferenceServerClient(url=flags.url)
        inputs = [client_module.InferInput("INPUT0", [1, 16], "INT32")]
        inputs[0].set_data_from_numpy(data)
        outputs = [client_module.InferRequestedOutput("OUTPUT0")]
        output = client.infer(model_name="custom_identity_int32", inputs=inputs, outputs=outputs).as_numpy("OUTPUT0")
        check(output.dtype == data.dtype and output.shape == data.shape, f"{output.dtype} {output.shape}")
        check(np.array_equal(output, data), f"incorrect output: {output}")
        client.close()
    print(f"PASS: memory_growth_test ({flags.protocol})")


if __name__ == "__main__":
    main()
