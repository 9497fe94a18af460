"""MLServer runtimes for the conformance models (a test fixture, run only as a peer).

MLServer 1.7 has no ONNX runtime in its default set, so the models under
packages/conformance/models/ are served by these numpy implementations of the same
functions: identity, add/sub and mixed outputs. Tensors go through MLServer's own NumpyCodec
both ways, so the suite exercises MLServer's codecs and data plane, not this file.
"""

import numpy as np
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.errors import MLServerError
from mlserver.types import InferenceRequest, InferenceResponse


class _Conformance(MLModel):
    async def load(self) -> bool:
        return True

    def _input(self, payload: InferenceRequest, name: str) -> np.ndarray:
        for tensor in payload.inputs:
            if tensor.name == name:
                return NumpyCodec.decode_input(tensor)
        # MLServer maps a 400 MLServerError to HTTP 400 / gRPC INVALID_ARGUMENT.
        raise MLServerError(f"missing input '{name}'", status_code=400)

    def _respond(self, payload: InferenceRequest, outputs: dict) -> InferenceResponse:
        requested = [o.name for o in payload.outputs] if payload.outputs else list(outputs)
        return InferenceResponse(
            model_name=self.name,
            model_version=self.version,
            id=payload.id,
            outputs=[NumpyCodec.encode_output(name, outputs[name]) for name in requested if name in outputs],
        )


class IdentityModel(_Conformance):
    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        return self._respond(payload, {"OUTPUT0": self._input(payload, "INPUT0")})


class AddSubModel(_Conformance):
    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        a = self._input(payload, "INPUT0")
        b = self._input(payload, "INPUT1")
        return self._respond(payload, {"OUTPUT0": a + b, "OUTPUT1": a - b})


class MixedOutputsModel(_Conformance):
    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        x = self._input(payload, "INPUT0").astype(np.float32)
        return self._respond(
            payload,
            {
                "OUTPUT0": (x * np.float32(2)).astype(np.float32),
                "OUTPUT1": np.trunc(x).astype(np.int64),
                "OUTPUT2": x > 0,
            },
        )
