"""Re-implements Triton's simple_http_aio_infer_client.py
(https://github.com/triton-inference-server/client/blob/main/src/python/examples/simple_http_aio_infer_client.py).

The asyncio HTTP client against `simple`: the same calls as simple_http_infer_client (mixed JSON
and binary data, query parameters, statistics, no outputs named, an unknown model), then two
inferences run concurrently with asyncio.gather.
"""

import asyncio

import numpy as np
import tritonclient.http.aio as httpclient
from tritonclient.utils import InferenceServerException

from _common import check, check_sum_and_difference, parse_url


async def infer(client, model, a, b, with_outputs):
    inputs = [httpclient.InferInput("INPUT0", [1, 16], "INT32"), httpclient.InferInput("INPUT1", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(a, binary_data=False)
    inputs[1].set_data_from_numpy(b, binary_data=True)
    outputs = (
        [
            httpclient.InferRequestedOutput("OUTPUT0", binary_data=True),
            httpclient.InferRequestedOutput("OUTPUT1", binary_data=False),
        ]
        if with_outputs
        else None
    )
    return await client.infer(model, inputs, outputs=outputs, query_params={"test_1": 1, "test_2": 2})


def verify(result, a, b):
    check_sum_and_difference(a, b, result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1"))


async def main(flags):
    client = httpclient.InferenceServerClient(url=flags.url, verbose=flags.verbose)
    a = np.arange(16, dtype=np.int32).reshape(1, 16)
    b = np.full((1, 16), -1, dtype=np.int32)

    verify(await infer(client, "simple", a, b, True), a, b)
    statistics = await client.get_inference_statistics(model_name="simple")
    check(len(statistics["model_stats"]) == 1, f"statistics of one model expected: {statistics}")
    verify(await infer(client, "simple", a, b, False), a, b)
    try:
        await infer(client, "wrong_model_name", a, b, True)
        check(False, "an unknown model was served")
    except InferenceServerException as e:
        check(e.message().startswith("Request for unknown model"), f"unexpected message: {e.message()}")
    first, second = await asyncio.gather(infer(client, "simple", a, b, True), infer(client, "simple", a, b, False))
    verify(first, a, b)
    verify(second, a, b)
    await client.close()
    print("PASS: simple_http_aio_infer_client")


if __name__ == "__main__":
    asyncio.run(main(parse_url(8000)))
