"""Trains a small iris classifier and dumps it with joblib, the format mlserver-sklearn loads."""

import sys

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

features, labels = load_iris(return_X_y=True)
# max_iter above the default 100 so lbfgs converges without a warning on unscaled features.
model = LogisticRegression(max_iter=1000).fit(features, labels)
joblib.dump(model, sys.argv[1])
