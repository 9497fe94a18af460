import { type OnnxModel, onnxModel } from "./onnx-model.js";

/**
 * A small KServe-style regressor with the tensors of the KServe Python SDK's REST client examples:
 * "input_1" FP32 [-1,3] → "output_1" FP32 [-1,1] = input_1 · [0.5, -0.25, 1] + 0.1.
 */
export function kserveExampleModel(): OnnxModel {
  return onnxModel({
    name: "example_model",
    inputs: [{ name: "input_1", datatype: "FP32", shape: ["batch", 3] }],
    outputs: [{ name: "output_1", datatype: "FP32", shape: ["batch", 1] }],
    initializers: [
      { name: "weights", datatype: "FP32", dims: [3, 1], data: Float32Array.of(0.5, -0.25, 1) },
      { name: "bias", datatype: "FP32", dims: [1], data: Float32Array.of(0.1) },
    ],
    nodes: [
      { opType: "MatMul", inputs: ["input_1", "weights"], outputs: ["xw"] },
      { opType: "Add", inputs: ["xw", "bias"], outputs: ["output_1"] },
    ],
  });
}
