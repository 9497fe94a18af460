# Trains the iris classifier MLServer serves in the benchmark (sklearn, as in MLServer's own example).
# parallel_workers 0: MLServer 1.7.1's worker processes die here with "There is no current event
# loop in thread MainThread" (Python 3.11), so inference runs in its main process.
import json
import os
import sys

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

root = sys.argv[1]
http_port, grpc_port, metrics_port = sys.argv[2:5]
X, y = load_iris(return_X_y=True)
model = LogisticRegression(max_iter=500).fit(X, y)
os.makedirs(os.path.join(root, "iris"), exist_ok=True)
joblib.dump(model, os.path.join(root, "iris", "model.joblib"))
with open(os.path.join(root, "iris", "model-settings.json"), "w") as f:
    json.dump({"name": "iris", "implementation": "mlserver_sklearn.SKLearnModel", "parameters": {"uri": "./model.joblib", "version": "v1"}}, f)
with open(os.path.join(root, "settings.json"), "w") as f:
    json.dump({"http_port": int(http_port), "grpc_port": int(grpc_port), "metrics_port": int(metrics_port), "debug": False, "parallel_workers": 0}, f)
