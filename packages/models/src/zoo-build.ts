import { type Datatype, datatypes } from "@tensorwire/codec";
import { tfsimpleModel } from "./add-sub-model.js";
import { fraudModel } from "./fraud-model.js";
import { identityModel } from "./identity-model.js";
import { irisModel } from "./iris-model.js";
import { kserveExampleModel } from "./kserve-example-model.js";
import { mixedOutputsModel } from "./mixed-outputs-model.js";
import { mnistModel } from "./mnist-model.js";
import { simpleInt8Model, simpleStringModel } from "./triton-simple-models.js";

/** The name of an ONNX model of the default zoo (one file may serve several models of the zoo). */
export type ZooModelName =
  | "iris"
  | "tfsimple"
  | "fraud"
  | "ccfraud"
  | "simple_string"
  | "simple_int8"
  | "mnist"
  | "kserve_example"
  | "mixed_outputs"
  | `identity_${Lowercase<Datatype>}`;

/** Builds a zoo model's ONNX bytes from code: what `zooModel` reads from dist, or builds from source. */
export function buildZooModel(name: ZooModelName): Uint8Array {
  switch (name) {
    case "iris":
      return irisModel().onnx;
    case "tfsimple":
      return tfsimpleModel().onnx;
    case "fraud":
      return fraudModel().onnx;
    case "ccfraud":
      // Wallaroo's names for the same scorer.
      return fraudModel({ name: "ccfraud", input: "tensor", output: "dense_1" }).onnx;
    case "simple_string":
      return simpleStringModel().onnx;
    case "simple_int8":
      return simpleInt8Model().onnx;
    case "mnist":
      return mnistModel().onnx;
    case "kserve_example":
      return kserveExampleModel().onnx;
    case "mixed_outputs":
      return mixedOutputsModel().onnx;
    default: {
      const datatype = datatypes.find((d) => `identity_${d.toLowerCase()}` === name);
      if (datatype === undefined) {
        throw new Error(`no zoo model '${name}'`);
      }
      return identityModel(datatype).onnx;
    }
  }
}
