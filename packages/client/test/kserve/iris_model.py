"""A tiny iris classifier served by KServe's Python ModelServer, for the client's interoperability
tests: the textbook decision tree on petal length and width, in numpy, so no training is needed.

    python iris_model.py --http_port 8080 --grpc_port 8081

V2 (Open Inference Protocol): input "input-0" [-1, 4] (any float or integer type), outputs
"predict" INT64 [-1] and "is_virginica" BOOL [-1]. V1: {"instances": [[...4 values], ...]} gives
{"predictions": [class, ...]}. Decoding and encoding are KServe's own (InferRequest, InferOutput,
InferResponse), so the tests exercise KServe, not this file.
"""

import numpy as np
from kserve import InferOutput, InferRequest, InferResponse, Model, ModelServer
from kserve.errors import InvalidInput
from kserve.utils.utils import generate_uuid


def classify(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] != 4:
        raise InvalidInput(f"expected rows of 4 features, got shape {list(rows.shape)}")
    petal_length, petal_width = rows[:, 2], rows[:, 3]
    return np.where(petal_length < 2.45, 0, np.where(petal_width < 1.75, 1, 2)).astype(np.int64)


class Iris(Model):
    def __init__(self):
        super().__init__("iris")
        self.ready = True

    def get_input_types(self):
        return [{"name": "input-0", "datatype": "FP64", "shape": [-1, 4]}]

    def get_output_types(self):
        return [
            {"name": "predict", "datatype": "INT64", "shape": [-1]},
            {"name": "is_virginica", "datatype": "BOOL", "shape": [-1]},
        ]

    async def predict(self, payload, headers=None, response_headers=None):
        if isinstance(payload, dict):
            # KServe's V1 protocol hands the JSON body over as a dict.
            return {"predictions": classify(payload["instances"]).tolist()}
        tensor = payload.get_input_by_name("input-0")
        if tensor is None:
            raise InvalidInput("missing input 'input-0'")
        labels = classify(tensor.as_numpy())
        results = {"predict": labels, "is_virginica": labels == 2}
        wanted = [o.name for o in payload.request_outputs] if payload.request_outputs else list(results)
        outputs = []
        for name in wanted:
            datatype = "INT64" if name == "predict" else "BOOL"
            output = InferOutput(name=name, shape=list(results[name].shape), datatype=datatype)
            output.set_data_from_numpy(results[name], binary_data=payload.use_binary_outputs)
            outputs.append(output)
        # As KServe's own get_predict_response: the request's id, else a new one.
        return InferResponse(
            response_id=payload.id if payload.id else generate_uuid(),
            model_name=self.name,
            infer_outputs=outputs,
            use_binary_outputs=payload.use_binary_outputs,
            requested_outputs=payload.request_outputs,
        )


if __name__ == "__main__":
    ModelServer().start([Iris()])
