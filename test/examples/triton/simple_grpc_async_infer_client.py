"""Re-implements Triton's simple_grpc_async_infer_client.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/simple_grpc_async_infer_client.py).

One `async_infer` call to `simple` whose callback receives the result (or the error); the result
waited for (at most 10 s, as upstream) and checked.
"""

import queue

import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException

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
    done = queue.Queue()
    client.async_infer(
        model_name="simple",
        inputs=inputs,
        outputs=outputs,
        callback=lambda result, error: done.put(error if error else result),
    )
    result = done.get(timeout=10)
    check(not isinstance(result, InferenceServerException), f"inference failed: {result}")
    check_sum_and_difference(a, b, result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1"))
    print("PASS: simple_grpc_async_infer_client")


if __name__ == "__main__":
    main()
