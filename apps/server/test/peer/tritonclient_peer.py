"""Peer test: Triton's Python client (tritonclient 2.73.0) against a tensorwire server.

Usage: python tritonclient_peer.py <host:port>

Runs every check, prints one JSON object {"passed": [names], "failed": {name: error}} as its
last line, and exits 0 either way; the vitest test asserts on the names.
"""

import json
import sys
import traceback
from functools import partial
from queue import Queue

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

ADDRESS = sys.argv[1]
CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def raises(fn, status=None):
    """Calls fn, which must raise InferenceServerException; returns it."""
    try:
        fn()
    except InferenceServerException as e:
        if status is not None:
            expect(str(e.status()) == status, f"expected status {status}, got {e.status()}: {e.message()}")
        return e
    raise AssertionError("expected an InferenceServerException")


SIXTEEN = np.arange(1, 17, dtype=np.int32).reshape(1, 16)
ONES = np.ones((1, 16), dtype=np.int32)


# --- HTTP -----------------------------------------------------------------------------------


@check
def http_seldon_example():
    # The tritonclient example of Seldon's inference docs, verbatim but for the URL:
    # https://docs.seldon.ai/seldon-core-2/user-guide/inference/inference
    client = httpclient.InferenceServerClient(
        url=ADDRESS,
        verbose=False,
    )

    inputs = [httpclient.InferInput("predict", (1, 4), "FP64")]
    inputs[0].set_data_from_numpy(np.array([[1, 2, 3, 4]]).astype("float64"), binary_data=False)

    result = client.infer("iris", inputs)
    print("result is:", result.as_numpy("predict"))
    expect(result.as_numpy("predict").tolist() == [2], f"iris predicted {result.as_numpy('predict')}")


@check
def http_health_and_metadata():
    client = httpclient.InferenceServerClient(url=ADDRESS)
    expect(client.is_server_live(), "not live")
    expect(client.is_server_ready(), "not ready")
    expect(client.is_model_ready("iris"), "iris not ready")
    expect(client.is_model_ready("tfsimple", "1"), "tfsimple v1 not ready")
    expect(not client.is_model_ready("nope"), "unknown model ready")
    server = client.get_server_metadata()
    expect(server["name"] == "tensorwire", server)
    model = client.get_model_metadata("iris")
    expect(model["inputs"][0] == {"name": "input", "datatype": "FP32", "shape": [-1, 4]}, model)


@check
def http_json_data():
    client = httpclient.InferenceServerClient(url=ADDRESS)
    inputs = [httpclient.InferInput("INPUT0", [1, 16], "INT32"), httpclient.InferInput("INPUT1", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(SIXTEEN, binary_data=False)
    inputs[1].set_data_from_numpy(ONES, binary_data=False)
    outputs = [
        httpclient.InferRequestedOutput("OUTPUT0", binary_data=False),
        httpclient.InferRequestedOutput("OUTPUT1", binary_data=False),
    ]
    result = client.infer("tfsimple", inputs, outputs=outputs, request_id="json-1")
    expect(result.get_response()["id"] == "json-1", result.get_response())
    expect((result.as_numpy("OUTPUT0") == SIXTEEN + 1).all(), result.as_numpy("OUTPUT0"))
    expect((result.as_numpy("OUTPUT1") == SIXTEEN - 1).all(), result.as_numpy("OUTPUT1"))


@check
def http_binary_data():
    client = httpclient.InferenceServerClient(url=ADDRESS)
    inputs = [httpclient.InferInput("INPUT0", [1, 16], "INT32"), httpclient.InferInput("INPUT1", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(SIXTEEN, binary_data=True)
    inputs[1].set_data_from_numpy(ONES, binary_data=True)
    outputs = [
        httpclient.InferRequestedOutput("OUTPUT0", binary_data=True),
        httpclient.InferRequestedOutput("OUTPUT1", binary_data=False),
    ]
    result = client.infer("tfsimple", inputs, outputs=outputs)
    response = result.get_response()
    expect(response["outputs"][0]["parameters"]["binary_data_size"] == 64, response)
    expect("data" in response["outputs"][1], response)
    expect((result.as_numpy("OUTPUT0") == SIXTEEN + 1).all(), result.as_numpy("OUTPUT0"))
    expect((result.as_numpy("OUTPUT1") == SIXTEEN - 1).all(), result.as_numpy("OUTPUT1"))


@check
def http_binary_bytes():
    client = httpclient.InferenceServerClient(url=ADDRESS)
    # ONNX Runtime string tensors hold UTF-8 only (and cut at a NUL), so the identity model gets that.
    strings = np.array([[b"hello", b"", "\u00e9t\u00e9".encode()]], dtype=np.object_)
    inputs = [httpclient.InferInput("INPUT0", [1, 3], "BYTES")]
    inputs[0].set_data_from_numpy(strings, binary_data=True)
    result = client.infer("identity_bytes", inputs, outputs=[httpclient.InferRequestedOutput("OUTPUT0", binary_data=True)])
    expect(result.as_numpy("OUTPUT0").tolist() == strings.tolist(), result.as_numpy("OUTPUT0"))


@check
def http_binary_fp16():
    client = httpclient.InferenceServerClient(url=ADDRESS)
    halves = np.array([[1.0, -2.5, 65504.0]], dtype=np.float16)
    inputs = [httpclient.InferInput("INPUT0", [1, 3], "FP16")]
    inputs[0].set_data_from_numpy(halves, binary_data=True)
    result = client.infer("identity_fp16", inputs, outputs=[httpclient.InferRequestedOutput("OUTPUT0", binary_data=True)])
    expect(result.as_numpy("OUTPUT0").dtype == np.float16, result.as_numpy("OUTPUT0").dtype)
    expect((result.as_numpy("OUTPUT0") == halves).all(), result.as_numpy("OUTPUT0"))


@check
def http_seldon_header():
    client = httpclient.InferenceServerClient(url=ADDRESS)
    inputs = [httpclient.InferInput("predict", (1, 4), "FP64")]
    inputs[0].set_data_from_numpy(np.array([[1, 2, 3, 4]], dtype=np.float64))
    # The path names another model; Seldon routes by the header.
    result = client.infer("elsewhere", inputs, headers={"seldon-model": "iris", "x-foo": "bar"})
    expect(result.get_response()["model_name"] == "iris", result.get_response())


@check
def http_errors():
    client = httpclient.InferenceServerClient(url=ADDRESS)
    inputs = [httpclient.InferInput("INPUT0", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(SIXTEEN)
    e = raises(lambda: client.infer("nope", inputs), "404")
    expect("nope" in e.message(), e.message())
    bad = [httpclient.InferInput("INPUT0", [1, 15], "INT32"), httpclient.InferInput("INPUT1", [1, 15], "INT32")]
    bad[0].set_data_from_numpy(SIXTEEN[:, :15])
    bad[1].set_data_from_numpy(SIXTEEN[:, :15])
    raises(lambda: client.infer("tfsimple", bad), "400")
    raises(lambda: client.get_model_metadata("nope"), "404")
    raises(lambda: client.load_model("iris"), "503")


@check
def http_statistics_and_repository():
    client = httpclient.InferenceServerClient(url=ADDRESS)
    stats = client.get_inference_statistics("tfsimple")
    expect(stats["model_stats"][0]["name"] == "tfsimple", stats)
    expect(stats["model_stats"][0]["inference_count"] > 0, stats)
    everything = client.get_inference_statistics()
    expect(len(everything["model_stats"]) > 1, everything)
    index = client.get_model_repository_index()
    expect({"name": "iris", "version": "1", "state": "READY", "reason": ""} in index, index)


# --- gRPC -----------------------------------------------------------------------------------


@check
def grpc_health_and_metadata():
    client = grpcclient.InferenceServerClient(url=ADDRESS)
    expect(client.is_server_live(), "not live")
    expect(client.is_server_ready(), "not ready")
    expect(client.is_model_ready("iris"), "iris not ready")
    expect(not client.is_model_ready("nope"), "unknown model ready")
    expect(client.get_server_metadata().name == "tensorwire", "server name")
    model = client.get_model_metadata("iris", as_json=True)
    expect(model["inputs"][0]["shape"] == ["-1", "4"], model)


@check
def grpc_seldon_example():
    # The same example on tritonclient's gRPC client.
    client = grpcclient.InferenceServerClient(url=ADDRESS)
    inputs = [grpcclient.InferInput("predict", (1, 4), "FP64")]
    inputs[0].set_data_from_numpy(np.array([[1, 2, 3, 4]]).astype("float64"))
    result = client.infer("iris", inputs, headers={"seldon-model": "iris"})
    expect(result.as_numpy("predict").tolist() == [2], result.as_numpy("predict"))


@check
def grpc_raw_contents():
    client = grpcclient.InferenceServerClient(url=ADDRESS)
    inputs = [grpcclient.InferInput("INPUT0", [1, 16], "INT32"), grpcclient.InferInput("INPUT1", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(SIXTEEN)
    inputs[1].set_data_from_numpy(ONES)
    outputs = [grpcclient.InferRequestedOutput("OUTPUT1")]
    result = client.infer("tfsimple", inputs, outputs=outputs, request_id="grpc-1")
    response = result.get_response()
    expect(response.id == "grpc-1", response.id)
    expect(len(response.outputs) == 1 and len(response.raw_output_contents) == 1, response)
    expect((result.as_numpy("OUTPUT1") == SIXTEEN - 1).all(), result.as_numpy("OUTPUT1"))


@check
def grpc_bytes():
    client = grpcclient.InferenceServerClient(url=ADDRESS)
    strings = np.array([[b"a", b"bc", b""]], dtype=np.object_)
    inputs = [grpcclient.InferInput("INPUT0", [1, 3], "BYTES")]
    inputs[0].set_data_from_numpy(strings)
    result = client.infer("identity_bytes", inputs)
    expect(result.as_numpy("OUTPUT0").tolist() == strings.tolist(), result.as_numpy("OUTPUT0"))


@check
def grpc_errors():
    client = grpcclient.InferenceServerClient(url=ADDRESS)
    inputs = [grpcclient.InferInput("INPUT0", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(SIXTEEN)
    e = raises(lambda: client.infer("nope", inputs), "StatusCode.NOT_FOUND")
    expect("nope" in e.message(), e.message())
    raises(lambda: client.infer("tfsimple", inputs, headers={"seldon-model": "a.b.c"}), "StatusCode.INVALID_ARGUMENT")
    raises(lambda: client.load_model("iris"), "StatusCode.UNAVAILABLE")


@check
def grpc_stream():
    client = grpcclient.InferenceServerClient(url=ADDRESS)
    results = Queue()
    client.start_stream(callback=partial(lambda q, result, error: q.put((result, error)), results))
    good = [grpcclient.InferInput("INPUT0", [1, 16], "INT32"), grpcclient.InferInput("INPUT1", [1, 16], "INT32")]
    good[0].set_data_from_numpy(SIXTEEN)
    good[1].set_data_from_numpy(ONES)
    client.async_stream_infer("tfsimple", good, request_id="s1")
    client.async_stream_infer("nope", good, request_id="s2")
    client.async_stream_infer("tfsimple", good, request_id="s3")
    got = [results.get(timeout=10) for _ in range(3)]
    client.stop_stream()
    expect(got[0][1] is None and (got[0][0].as_numpy("OUTPUT0") == SIXTEEN + 1).all(), got[0])
    expect(got[1][0] is None and "nope" in got[1][1].message(), got[1])
    expect(got[2][1] is None and got[2][0].get_response().id == "s3", got[2])


@check
def grpc_statistics_and_repository():
    client = grpcclient.InferenceServerClient(url=ADDRESS)
    stats = client.get_inference_statistics(model_name="tfsimple", as_json=True)
    expect(stats["model_stats"][0]["name"] == "tfsimple", stats)
    index = client.get_model_repository_index(as_json=True)
    expect(any(m["name"] == "iris" and m["state"] == "READY" for m in index["models"]), index)


passed, failed = [], {}
for fn in CHECKS:
    try:
        fn()
        passed.append(fn.__name__)
    except Exception:  # noqa: BLE001 - every failure is reported, none stops the run
        failed[fn.__name__] = traceback.format_exc()
print(json.dumps({"passed": passed, "failed": failed}))
