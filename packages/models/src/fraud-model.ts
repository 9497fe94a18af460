import { mulberry32 } from "./mulberry32.js";
import { type OnnxModel, onnxModel } from "./onnx-model.js";

// The Kaggle credit-card fraud data set's features without Time: V1…V28 and Amount.
const features = 29;
const seed = 20_240_101;
// Fraud is rare, so a zero input should score low: sigmoid(-3) ≈ 0.047.
const bias = -3;

/** A stand-in fraud scorer: probability = sigmoid(x·weights + bias), with seeded weights. */
export interface FraudScorer {
  /** [29,1], uniform in [-0.5, 0.5). */
  readonly weights: Float32Array;
  /** [1] */
  readonly bias: Float32Array;
}

/** The scorer's fixed weights, drawn from mulberry32 with a fixed seed. */
export function fraudScorer(): FraudScorer {
  const next = mulberry32(seed);
  return {
    weights: Float32Array.from({ length: features }, () => next() - 0.5),
    bias: Float32Array.of(bias),
  };
}

/** Computes the model's output in float64 for `input`, [n,29] row-major: [n,1] probabilities. */
export function fraudPredict(scorer: FraudScorer, input: Float32Array): Float32Array {
  const n = input.length / features;
  return Float32Array.from({ length: n }, (_, i) => {
    let z = scorer.bias[0] ?? 0;
    for (let j = 0; j < features; j++) {
      z += (input[i * features + j] ?? 0) * (scorer.weights[j] ?? 0);
    }
    return 1 / (1 + Math.exp(-z));
  });
}

/** The names of the fraud model's graph, its input and its output. */
export interface FraudModelNames {
  /** The graph's (and so the model's) name. */
  readonly name: string;
  /** The input's name. */
  readonly input: string;
  /** The output's name. */
  readonly output: string;
}

/**
 * The scorer as ONNX: input "input" FP32 [-1,29], output "probability" FP32 [-1,1], or under other
 * names (Wallaroo's ccfraud example calls them "tensor" and "dense_1").
 */
export function fraudModel(
  names: FraudModelNames = { name: "fraud", input: "input", output: "probability" },
): OnnxModel {
  const scorer = fraudScorer();
  return onnxModel({
    name: names.name,
    inputs: [{ name: names.input, datatype: "FP32", shape: ["batch", features] }],
    outputs: [{ name: names.output, datatype: "FP32", shape: ["batch", 1] }],
    initializers: [
      { name: "weights", datatype: "FP32", dims: [features, 1], data: scorer.weights },
      { name: "bias", datatype: "FP32", dims: [1], data: scorer.bias },
    ],
    nodes: [
      { opType: "MatMul", inputs: [names.input, "weights"], outputs: ["xw"] },
      { opType: "Add", inputs: ["xw", "bias"], outputs: ["logit"] },
      { opType: "Sigmoid", inputs: ["logit"], outputs: [names.output] },
    ],
  });
}
