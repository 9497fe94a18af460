import { onnxDatatypeTable } from "./oip-datatype.js";
import { type OnnxModel, onnxModel } from "./onnx-model.js";

/**
 * One FP32 input, three outputs of different datatypes from it: OUTPUT0 = 2·x (FP32),
 * OUTPUT1 = x cast to INT64 (truncated toward zero) and OUTPUT2 = x > 0 (BOOL).
 */
export function mixedOutputsModel(): OnnxModel {
  const shape = ["batch", 4];
  return onnxModel({
    name: "mixed_outputs",
    inputs: [{ name: "INPUT0", datatype: "FP32", shape }],
    outputs: [
      { name: "OUTPUT0", datatype: "FP32", shape },
      { name: "OUTPUT1", datatype: "INT64", shape },
      { name: "OUTPUT2", datatype: "BOOL", shape },
    ],
    initializers: [
      { name: "two", datatype: "FP32", dims: [], data: Float32Array.of(2) },
      { name: "zero", datatype: "FP32", dims: [], data: Float32Array.of(0) },
    ],
    nodes: [
      { opType: "Mul", inputs: ["INPUT0", "two"], outputs: ["OUTPUT0"] },
      {
        opType: "Cast",
        inputs: ["INPUT0"],
        outputs: ["OUTPUT1"],
        attributes: { to: { int: onnxDatatypeTable.INT64.elemType } },
      },
      { opType: "Greater", inputs: ["INPUT0", "zero"], outputs: ["OUTPUT2"] },
    ],
  });
}
