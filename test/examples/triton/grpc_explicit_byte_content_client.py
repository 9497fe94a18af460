"""Re-implements Triton's grpc_explicit_byte_content_client.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/grpc_explicit_byte_content_client.py).

With the generated gRPC stub: `simple_string`'s BYTES inputs sent in `contents.bytes_contents`
(the numbers 0..15 and 1 as text), the outputs read from `raw_output_contents` with tritonclient's
deserialize_bytes_tensor, the sum and difference checked.
"""

import grpc
import numpy as np
from tritonclient import utils
from tritonclient.grpc import service_pb2, service_pb2_grpc

from _common import check, parse_url


def main():
    flags = parse_url(8001)
    stub = service_pb2_grpc.GRPCInferenceServiceStub(grpc.insecure_channel(flags.url))
    request = service_pb2.ModelInferRequest(model_name="simple_string", model_version="")
    for name, texts in (("INPUT0", [str(i) for i in range(16)]), ("INPUT1", ["1"] * 16)):
        tensor = service_pb2.ModelInferRequest.InferInputTensor(name=name, datatype="BYTES", shape=[1, 16])
        tensor.contents.bytes_contents.extend(t.encode("utf-8") for t in texts)
        request.inputs.append(tensor)
    request.outputs.extend(
        [service_pb2.ModelInferRequest.InferRequestedOutputTensor(name=n) for n in ("OUTPUT0", "OUTPUT1")]
    )
    response = stub.ModelInfer(request)
    check(len(response.raw_output_contents) == 2, f"two raw outputs expected: {response}")
    results = [
        np.resize(utils.deserialize_bytes_tensor(raw), list(output.shape))
        for output, raw in zip(response.outputs, response.raw_output_contents)
    ]
    for i in range(16):
        check(int(results[0][0][i]) == i + 1, f"incorrect sum at {i}: {results[0][0][i]}")
        check(int(results[1][0][i]) == i - 1, f"incorrect difference at {i}: {results[1][0][i]}")
    print("PASS: grpc_explicit_byte_content_client")


if __name__ == "__main__":
    main()
