import type { Datatype } from "@tensorwire/codec";
import { type OnnxModel, onnxModel } from "./onnx-model.js";

/** Returns INPUT0 unchanged as OUTPUT0, for a 2-D tensor of any size of the given datatype. */
export function identityModel(datatype: Datatype): OnnxModel {
  const value = (name: string) => ({ name, datatype, shape: ["batch", "n"] });
  return onnxModel({
    name: `identity_${datatype.toLowerCase()}`,
    inputs: [value("INPUT0")],
    outputs: [value("OUTPUT0")],
    nodes: [{ opType: "Identity", inputs: ["INPUT0"], outputs: ["OUTPUT0"] }],
  });
}
