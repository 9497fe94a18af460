import { type Datatype, datatypes } from "@tensorwire/codec";
import { tfsimpleModel } from "./add-sub-model.js";
import { fraudModel } from "./fraud-model.js";
import { identityModel } from "./identity-model.js";
import { irisModel } from "./iris-model.js";

/** The name of an ONNX model of the default zoo. */
export type ZooModelName = "iris" | "tfsimple" | "fraud" | `identity_${Lowercase<Datatype>}`;

/** Builds a zoo model's ONNX bytes from code: what `zooModel` reads from dist, or builds from source. */
export function buildZooModel(name: ZooModelName): Uint8Array {
  switch (name) {
    case "iris":
      return irisModel().onnx;
    case "tfsimple":
      return tfsimpleModel().onnx;
    case "fraud":
      return fraudModel().onnx;
    default: {
      const datatype = datatypes.find((d) => `identity_${d.toLowerCase()}` === name);
      if (datatype === undefined) {
        throw new Error(`no zoo model '${name}'`);
      }
      return identityModel(datatype).onnx;
    }
  }
}
