"""Re-implements Triton's simple_grpc_aio_infer_client.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/simple_grpc_aio_infer_client.py).

The asyncio gRPC client against `simple`: an inference with both outputs named and a header, one
model in the statistics, then two inferences with no outputs named run concurrently.
"""

import asyncio

import numpy as np
import tritonclient.grpc.aio as grpcclient

from _common import check, check_sum_and_difference, parse_url


async def main(flags):
    client = grpcclient.InferenceServerClient(url=flags.url, verbose=flags.verbose)
    a = np.arange(16, dtype=np.int32).reshape(1, 16)
    b = np.ones((1, 16), dtype=np.int32)
    inputs = [grpcclient.InferInput("INPUT0", [1, 16], "INT32"), grpcclient.InferInput("INPUT1", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(a)
    inputs[1].set_data_from_numpy(b)
    outputs = [grpcclient.InferRequestedOutput("OUTPUT0"), grpcclient.InferRequestedOutput("OUTPUT1")]

    result = await client.infer(model_name="simple", inputs=inputs, outputs=outputs, headers={"test": "1"})
    statistics = await client.get_inference_statistics(model_name="simple")
    check(len(statistics.model_stats) == 1, f"statistics of one model expected: {statistics}")
    check_sum_and_difference(a, b, result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1"))
    first, second = await asyncio.gather(
        client.infer(model_name="simple", inputs=inputs, outputs=None),
        client.infer(model_name="simple", inputs=inputs, outputs=None),
    )
    for r in (first, second):
        check_sum_and_difference(a, b, r.as_numpy("OUTPUT0"), r.as_numpy("OUTPUT1"))
    await client.close()
    print("PASS: simple_grpc_aio_infer_client")


if __name__ == "__main__":
    asyncio.run(main(parse_url(8001)))
