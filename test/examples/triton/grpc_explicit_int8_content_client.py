"""Re-implements Triton's grpc_explicit_int8_content_client.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/grpc_explicit_int8_content_client.py).

With the generated gRPC stub: `simple_int8`'s INT8 inputs sent in `contents.int_contents`, the
outputs read as int8 from `raw_output_contents`; then a request naming the version
"wrong_specification" refused with Triton's "failed to get model version from specified version
string 'wrong_specification'".
"""

import grpc
import numpy as np
from tritonclient.grpc import service_pb2, service_pb2_grpc

from _common import check, parse_url


def main():
    flags = parse_url(8001)
    stub = service_pb2_grpc.GRPCInferenceServiceStub(grpc.insecure_channel(flags.url))
    a = list(range(16))
    b = [1] * 16
    request = service_pb2.ModelInferRequest(model_name="simple_int8", model_version="")
    for name, values in (("INPUT0", a), ("INPUT1", b)):
        tensor = service_pb2.ModelInferRequest.InferInputTensor(name=name, datatype="INT8", shape=[1, 16])
        tensor.contents.int_contents[:] = values
        request.inputs.append(tensor)
    request.outputs.extend(
        [service_pb2.ModelInferRequest.InferRequestedOutputTensor(name=n) for n in ("OUTPUT0", "OUTPUT1")]
    )
    response = stub.ModelInfer(request)
    check(len(response.raw_output_contents) == 2, f"two raw outputs expected: {response}")
    results = [
        np.resize(np.frombuffer(raw, dtype=np.int8), list(output.shape))
        for output, raw in zip(response.outputs, response.raw_output_contents)
    ]
    for i in range(16):
        check(results[0][0][i] == a[i] + b[i], f"incorrect sum at {i}")
        check(results[1][0][i] == a[i] - b[i], f"incorrect difference at {i}")

    request.model_version = "wrong_specification"
    try:
        stub.ModelInfer(request)
        check(False, "a version that is not a number was accepted")
    except grpc.RpcError as e:
        expected = "failed to get model version from specified version string 'wrong_specification'"
        check(expected in str(e), f"unexpected error: {e}")
    print("PASS: grpc_explicit_int8_content_client")


if __name__ == "__main__":
    main()
