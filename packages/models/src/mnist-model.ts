import { mulberry32 } from "./mulberry32.js";
import { type OnnxModel, onnxModel } from "./onnx-model.js";

const pixels = 28 * 28;
const digits = 10;
const seed = 20_151_109;

/**
 * A stand-in for TensorFlow Serving's MNIST example (the model Hopsworks' inference docs query
 * through the `predict_images` signature): "images" FP32 [-1,784] → "scores" FP32 [-1,10], the
 * softmax of images·W + b with W and b drawn from mulberry32 with a fixed seed. It is untrained:
 * it answers with the example's tensors and a valid distribution, not a real digit.
 */
export function mnistModel(): OnnxModel {
  const next = mulberry32(seed);
  return onnxModel({
    name: "mnist",
    inputs: [{ name: "images", datatype: "FP32", shape: ["batch", pixels] }],
    outputs: [{ name: "scores", datatype: "FP32", shape: ["batch", digits] }],
    initializers: [
      {
        name: "weights",
        datatype: "FP32",
        dims: [pixels, digits],
        data: Float32Array.from({ length: pixels * digits }, () => (next() - 0.5) / 10),
      },
      { name: "bias", datatype: "FP32", dims: [digits], data: new Float32Array(digits) },
    ],
    nodes: [
      { opType: "MatMul", inputs: ["images", "weights"], outputs: ["xw"] },
      { opType: "Add", inputs: ["xw", "bias"], outputs: ["logits"] },
      { opType: "Softmax", inputs: ["logits"], outputs: ["scores"], attributes: { axis: { int: -1 } } },
    ],
  });
}
