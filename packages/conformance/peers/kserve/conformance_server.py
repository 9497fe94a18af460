"""KServe's Python ModelServer serving the conformance models (a test fixture, run only as a peer).

The models of packages/conformance/models/ as kserve.Model subclasses: identity_<datatype>,
tfsimple, add_sub_fp32 and mixed_outputs, computed with numpy. Tensors are decoded and encoded
by KServe's own InferInput / InferOutput, and REST and gRPC are KServe's data plane, so the suite
exercises KServe, not this file.

    python conformance_server.py --http_port 8080 --grpc_port 8081
"""

import numpy as np
from kserve import InferOutput, InferRequest, InferResponse, Model, ModelServer
from kserve.errors import InvalidInput
from kserve.utils.utils import generate_uuid

DATATYPES = ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"]


def _tensor(name, datatype, shape):
    return {"name": name, "datatype": datatype, "shape": shape}


class _Conformance(Model):
    inputs: list = []
    outputs: list = []

    def __init__(self, name: str):
        super().__init__(name)
        self.ready = True

    def get_input_types(self):
        return self.inputs

    def get_output_types(self):
        return self.outputs

    def _input(self, payload: InferRequest, name: str) -> np.ndarray:
        tensor = payload.get_input_by_name(name)
        if tensor is None:
            raise InvalidInput(f"missing input '{name}'")
        return tensor.as_numpy()

    def _respond(self, payload: InferRequest, results: dict) -> InferResponse:
        requested = [o.name for o in payload.request_outputs] if payload.request_outputs else list(results)
        binary = payload.use_binary_outputs
        outputs = []
        for name in requested:
            if name not in results:
                continue
            array = results[name]
            datatype = next(o["datatype"] for o in self.outputs if o["name"] == name)
            output = InferOutput(name=name, shape=list(array.shape), datatype=datatype)
            output.set_data_from_numpy(array, binary_data=binary)
            outputs.append(output)
        # As KServe's own get_predict_response: the request id, else a new one.
        return InferResponse(
            response_id=payload.id if payload.id else generate_uuid(),
            model_name=self.name,
            infer_outputs=outputs,
            use_binary_outputs=binary,
            requested_outputs=payload.request_outputs,
        )


class Identity(_Conformance):
    def __init__(self, datatype: str):
        super().__init__(f"identity_{datatype.lower()}")
        self.inputs = [_tensor("INPUT0", datatype, [-1, -1])]
        self.outputs = [_tensor("OUTPUT0", datatype, [-1, -1])]

    async def predict(self, payload, headers=None, response_headers=None):
        if isinstance(payload, dict):
            # KServe's V1 protocol hands the JSON body over as a dict.
            return {"predictions": payload["instances"]}
        return self._respond(payload, {"OUTPUT0": self._input(payload, "INPUT0")})


class AddSub(_Conformance):
    def __init__(self, name: str, datatype: str, shape: list):
        super().__init__(name)
        self.inputs = [_tensor("INPUT0", datatype, shape), _tensor("INPUT1", datatype, shape)]
        self.outputs = [_tensor("OUTPUT0", datatype, shape), _tensor("OUTPUT1", datatype, shape)]

    async def predict(self, payload: InferRequest, headers=None, response_headers=None) -> InferResponse:
        a = self._input(payload, "INPUT0")
        b = self._input(payload, "INPUT1")
        return self._respond(payload, {"OUTPUT0": a + b, "OUTPUT1": a - b})


class MixedOutputs(_Conformance):
    def __init__(self):
        super().__init__("mixed_outputs")
        self.inputs = [_tensor("INPUT0", "FP32", [-1, 4])]
        self.outputs = [
            _tensor("OUTPUT0", "FP32", [-1, 4]),
            _tensor("OUTPUT1", "INT64", [-1, 4]),
            _tensor("OUTPUT2", "BOOL", [-1, 4]),
        ]

    async def predict(self, payload: InferRequest, headers=None, response_headers=None) -> InferResponse:
        x = self._input(payload, "INPUT0").astype(np.float32)
        return self._respond(
            payload,
            {
                "OUTPUT0": (x * np.float32(2)).astype(np.float32),
                "OUTPUT1": np.trunc(x).astype(np.int64),
                "OUTPUT2": x > 0,
            },
        )


if __name__ == "__main__":
    models = [Identity(dt) for dt in DATATYPES]
    models += [AddSub("tfsimple", "INT32", [-1, 16]), AddSub("add_sub_fp32", "FP32", [-1, -1]), MixedOutputs()]
    ModelServer().start(models)
