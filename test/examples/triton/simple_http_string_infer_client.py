"""Re-implements Triton's simple_http_string_infer_client.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/simple_http_string_infer_client.py).

`simple_string`: BYTES tensors whose elements are integers as UTF-8 text (INPUT0 binary, INPUT1
JSON), answered with the sum and difference as text. `simple_identity`: BYTES elements with an
embedded NUL, and 4-byte binary blobs (np.bytes_), each sent as binary data and as JSON, coming
back unchanged.
"""

import numpy as np
import tritonclient.http as httpclient

from _common import check, parse_url


def simple_string(client):
    a = np.arange(16, dtype=np.int32).reshape(1, 16)
    b = np.ones((1, 16), dtype=np.int32)
    as_text = lambda x: np.array([str(v).encode("utf-8") for v in x.flatten()], dtype=np.object_).reshape(x.shape)
    inputs = [httpclient.InferInput("INPUT0", [1, 16], "BYTES"), httpclient.InferInput("INPUT1", [1, 16], "BYTES")]
    inputs[0].set_data_from_numpy(as_text(a), binary_data=True)
    inputs[1].set_data_from_numpy(as_text(b), binary_data=False)
    outputs = [
        httpclient.InferRequestedOutput("OUTPUT0", binary_data=True),
        httpclient.InferRequestedOutput("OUTPUT1", binary_data=False),
    ]
    result = client.infer(model_name="simple_string", inputs=inputs, outputs=outputs)
    total, difference = result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1")
    for i in range(16):
        check(int(total[0][i]) == a[0][i] + b[0][i], f"incorrect sum at {i}: {total[0][i]}")
        check(int(difference[0][i]) == a[0][i] - b[0][i], f"incorrect difference at {i}: {difference[0][i]}")


def identity(client, data, binary):
    inputs = [httpclient.InferInput("INPUT0", data.shape, "BYTES")]
    inputs[0].set_data_from_numpy(data, binary_data=binary)
    outputs = [httpclient.InferRequestedOutput("OUTPUT0", binary_data=binary)]
    answer = client.infer(model_name="simple_identity", inputs=inputs, outputs=outputs).as_numpy("OUTPUT0")
    if data.dtype == np.object_:
        # JSON answers come back as str; the upstream example compares their UTF-8 bytes.
        got = answer if binary else np.array([bytes(str(x), encoding="utf-8") for x in answer.flatten()], dtype=np.object_).reshape(data.shape)
    else:
        got = np.char.encode(answer.astype(str))
    check(np.array_equal(data, got), f"identity changed the data ({'binary' if binary else 'JSON'}): {answer}")


def main():
    flags = parse_url(8000)
    client = httpclient.InferenceServerClient(url=flags.url, verbose=flags.verbose)
    simple_string(client)
    with_nul = np.array(["he\x00llo".encode("utf-8")] * 16, dtype=np.object_).reshape(1, 16)
    identity(client, with_nul, True)
    identity(client, with_nul, False)
    blobs = np.array([b"\x00\x01\x02\x03"] * 16, dtype=np.bytes_).reshape(1, 16)
    identity(client, blobs, True)
    identity(client, blobs, False)
    print("PASS: simple_http_string_infer_client")


if __name__ == "__main__":
    main()
