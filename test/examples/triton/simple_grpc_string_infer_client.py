"""Re-implements Triton's simple_grpc_string_infer_client.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/simple_grpc_string_infer_client.py).

`simple_string` over gRPC (integers as UTF-8 text in, their sum and difference as text out), and
`simple_identity` with BYTES elements holding a NUL and with 4-byte binary blobs, unchanged.
"""

import numpy as np
import tritonclient.grpc as grpcclient

from _common import check, parse_url


def simple_string(client):
    a = np.arange(16, dtype=np.int32).reshape(1, 16)
    b = np.ones((1, 16), dtype=np.int32)
    as_text = lambda x: np.array([str(v).encode("utf-8") for v in x.flatten()], dtype=np.object_).reshape(x.shape)
    inputs = [grpcclient.InferInput("INPUT0", [1, 16], "BYTES"), grpcclient.InferInput("INPUT1", [1, 16], "BYTES")]
    inputs[0].set_data_from_numpy(as_text(a))
    inputs[1].set_data_from_numpy(as_text(b))
    outputs = [grpcclient.InferRequestedOutput("OUTPUT0"), grpcclient.InferRequestedOutput("OUTPUT1")]
    result = client.infer(model_name="simple_string", inputs=inputs, outputs=outputs)
    total, difference = result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1")
    for i in range(16):
        check(int(total[0][i]) == a[0][i] + b[0][i], f"incorrect sum at {i}: {total[0][i]}")
        check(int(difference[0][i]) == a[0][i] - b[0][i], f"incorrect difference at {i}: {difference[0][i]}")


def identity(client, data):
    inputs = [grpcclient.InferInput("INPUT0", data.shape, "BYTES")]
    inputs[0].set_data_from_numpy(data)
    outputs = [grpcclient.InferRequestedOutput("OUTPUT0")]
    answer = client.infer(model_name="simple_identity", inputs=inputs, outputs=outputs).as_numpy("OUTPUT0")
    got = answer if data.dtype == np.object_ else np.char.encode(answer.astype(str))
    check(np.array_equal(data, got), f"identity changed the data: {answer}")


def main():
    flags = parse_url(8001)
    client = grpcclient.InferenceServerClient(url=flags.url, verbose=flags.verbose)
    simple_string(client)
    identity(client, np.array(["he\x00llo".encode("utf-8")] * 16, dtype=np.object_).reshape(1, 16))
    identity(client, np.array([b"\x00\x01\x02\x03"] * 16, dtype=np.bytes_).reshape(1, 16))
    print("PASS: simple_grpc_string_infer_client")


if __name__ == "__main__":
    main()
