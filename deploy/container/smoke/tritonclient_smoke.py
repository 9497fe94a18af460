"""Container smoke test: Triton's Python client against the tensorwire image.

Usage: python tritonclient_smoke.py <host:port>

The container serves a mounted repository in explicit mode with `add` (Triton's simple model:
INPUT0 + INPUT1, INPUT0 - INPUT1, INT32 [-1, 16]) loaded, and `tfsimple_1` written in the layout
Seldon Core v2's agent writes (config.pbtxt beside 1/model.onnx) but not loaded. Prints one JSON
object {"passed": [names], "failed": {name: error}} as its last line and exits 0 either way; the
vitest test asserts on the names.
"""

import json
import sys
import traceback

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

ADDRESS = sys.argv[1]
CHECKS = []

A = np.arange(16, dtype=np.int32).reshape(1, 16)
B = np.full((1, 16), 3, dtype=np.int32)


def check(fn):
    CHECKS.append(fn)
    return fn


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def infer_add(module, client, model):
    inputs = [module.InferInput("INPUT0", [1, 16], "INT32"), module.InferInput("INPUT1", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(A)
    inputs[1].set_data_from_numpy(B)
    result = client.infer(model, inputs)
    expect((result.as_numpy("OUTPUT0") == A + B).all(), f"OUTPUT0 {result.as_numpy('OUTPUT0')}")
    expect((result.as_numpy("OUTPUT1") == A - B).all(), f"OUTPUT1 {result.as_numpy('OUTPUT1')}")


@check
def http_health_and_infer():
    client = httpclient.InferenceServerClient(url=ADDRESS)
    expect(client.is_server_live(), "not live")
    expect(client.is_server_ready(), "not ready")
    expect(client.is_model_ready("add"), "add not ready")
    infer_add(httpclient, client, "add")


@check
def grpc_health_and_infer():
    client = grpcclient.InferenceServerClient(url=ADDRESS)
    expect(client.is_server_live(), "not live")
    expect(client.is_server_ready(), "not ready")
    metadata = client.get_model_metadata("add", as_json=True)
    expect([i["name"] for i in metadata["inputs"]] == ["INPUT0", "INPUT1"], metadata)
    infer_add(grpcclient, client, "add")


@check
def grpc_repository_load_unload():
    # What Seldon Core v2's agent does with a Triton-type server: RepositoryModelLoad on a model it
    # copied into the shared folder, then RepositoryModelUnload.
    client = grpcclient.InferenceServerClient(url=ADDRESS)
    expect(not client.is_model_ready("tfsimple_1"), "tfsimple_1 ready before it was loaded")
    client.load_model("tfsimple_1")
    expect(client.is_model_ready("tfsimple_1"), "tfsimple_1 not ready after load")
    infer_add(grpcclient, client, "tfsimple_1")
    names = {m["name"] for m in client.get_model_repository_index(as_json=True)["models"]}
    expect({"add", "tfsimple_1"} <= names, names)
    client.unload_model("tfsimple_1")
    expect(not client.is_model_ready("tfsimple_1"), "tfsimple_1 still ready after unload")


passed = []
failed = {}
for fn in CHECKS:
    try:
        fn()
        passed.append(fn.__name__)
    except Exception as e:  # noqa: BLE001 - every failure is reported by name
        failed[fn.__name__] = f"{type(e).__name__}: {e}\n{traceback.format_exc()}"
print(json.dumps({"passed": passed, "failed": failed}))
