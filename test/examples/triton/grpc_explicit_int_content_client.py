"""Re-implements Triton's grpc_explicit_int_content_client.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/grpc_explicit_int_content_client.py).

With the generated gRPC stub, no tritonclient helpers: `simple`'s inputs sent in
`contents.int_contents`, the outputs read from `raw_output_contents` (as Triton always answers).
Then a request carrying both raw and typed contents for INPUT0 is refused with Triton's message
"contents field must not be specified when using raw_input_contents for 'INPUT0' for model
'simple'".
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
    request = service_pb2.ModelInferRequest(model_name="simple", model_version="")
    for name, values in (("INPUT0", a), ("INPUT1", b)):
        tensor = service_pb2.ModelInferRequest.InferInputTensor(name=name, datatype="INT32", shape=[1, 16])
        tensor.contents.int_contents[:] = values
        request.inputs.append(tensor)
    request.outputs.extend(
        [service_pb2.ModelInferRequest.InferRequestedOutputTensor(name=n) for n in ("OUTPUT0", "OUTPUT1")]
    )
    response = stub.ModelInfer(request)
    check(len(response.raw_output_contents) == 2, f"two raw outputs expected: {response}")
    results = [
        np.resize(np.frombuffer(raw, dtype=np.int32), list(output.shape))
        for output, raw in zip(response.outputs, response.raw_output_contents)
    ]
    for i in range(16):
        check(results[0][0][i] == a[i] + b[i], f"incorrect sum at {i}")
        check(results[1][0][i] == a[i] - b[i], f"incorrect difference at {i}")

    request.raw_input_contents.extend([np.array(a[0:8]).tobytes()])
    request.inputs[0].contents.int_contents[:] = a[8:]
    try:
        stub.ModelInfer(request)
        check(False, "raw and typed contents together were accepted")
    except grpc.RpcError as e:
        expected = "contents field must not be specified when using raw_input_contents for 'INPUT0' for model 'simple'"
        check(expected in str(e), f"unexpected error: {e}")
    print("PASS: grpc_explicit_int_content_client")


if __name__ == "__main__":
    main()
