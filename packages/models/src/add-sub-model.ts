import type { Datatype } from "@tensorwire/codec";
import type { Dim } from "./build-onnx-model.js";
import { type OnnxModel, onnxModel } from "./onnx-model.js";

/** The datatypes ONNX Runtime's CPU provider has both Add and Sub kernels for among the OIP types. */
export type AddSubDatatype = Extract<Datatype, "FP32" | "FP64" | "INT32" | "INT64">;

/** OUTPUT0 = INPUT0 + INPUT1 and OUTPUT1 = INPUT0 − INPUT1, elementwise, for any 2-D shape. */
export function addSubModel(datatype: AddSubDatatype): OnnxModel {
  return addSubGraph(`add_sub_${datatype.toLowerCase()}`, datatype, ["batch", "n"]);
}

/** Triton's "simple" example model: add/sub on INT32 [-1,16] tensors. */
export function tfsimpleModel(): OnnxModel {
  return addSubGraph("tfsimple", "INT32", [-1, 16]);
}

function addSubGraph(name: string, datatype: AddSubDatatype, shape: readonly Dim[]): OnnxModel {
  const value = (n: string) => ({ name: n, datatype, shape });
  return onnxModel({
    name,
    inputs: [value("INPUT0"), value("INPUT1")],
    outputs: [value("OUTPUT0"), value("OUTPUT1")],
    nodes: [
      { opType: "Add", inputs: ["INPUT0", "INPUT1"], outputs: ["OUTPUT0"] },
      { opType: "Sub", inputs: ["INPUT0", "INPUT1"], outputs: ["OUTPUT1"] },
    ],
  });
}
