import { createTensor, type InferRequest, type Tensor } from "@tensorwire/codec";
import type { Derivation } from "./case-schema.js";

/**
 * The outputs a conformance model must return for a request, computed from the request itself
 * (STYLE 20: expectations are derived, not restated per case). Only the requested outputs, when the
 * request names some. Throws when the request is not one the model could answer.
 */
export function deriveOutputs(derivation: Derivation, request: InferRequest): Tensor[] {
  const all = compute[derivation](request);
  const requested = request.outputs?.map((o) => o.name);
  return requested === undefined ? all : all.filter((t) => requested.includes(t.name));
}

function input(request: InferRequest, name: string): Tensor {
  const tensor = request.inputs.find((t) => t.name === name);
  if (tensor === undefined) {
    throw new Error(`derived outputs need input '${name}'`);
  }
  return tensor;
}

function output(from: Tensor, name: string, data: Tensor["data"], datatype: string = from.datatype): Tensor {
  return createTensor({ name, datatype, shape: from.shape, data });
}

const compute: Readonly<Record<Derivation, (request: InferRequest) => Tensor[]>> = {
  identity: (request) => {
    const x = input(request, "INPUT0");
    return [output(x, "OUTPUT0", x.data)];
  },
  "add-sub": (request) => {
    const a = input(request, "INPUT0");
    const b = input(request, "INPUT1");
    return [output(a, "OUTPUT0", elementwise(a, b, 1)), output(a, "OUTPUT1", elementwise(a, b, -1))];
  },
  "mixed-outputs": (request) => {
    const x = input(request, "INPUT0");
    if (x.datatype !== "FP32") {
      throw new Error("mixed_outputs takes FP32");
    }
    const values = Array.from(x.data);
    return [
      output(
        x,
        "OUTPUT0",
        Float32Array.from(values, (v) => Math.fround(2 * v)),
      ),
      output(
        x,
        "OUTPUT1",
        BigInt64Array.from(values, (v) => BigInt(Math.trunc(v))),
        "INT64",
      ),
      output(
        x,
        "OUTPUT2",
        Uint8Array.from(values, (v) => (v > 0 ? 1 : 0)),
        "BOOL",
      ),
    ];
  },
};

/** a + sign·b with the datatype's arithmetic: wrapping integers, single-precision FP32. */
function elementwise(a: Tensor, b: Tensor, sign: 1 | -1): Tensor["data"] {
  if (a.datatype !== b.datatype) {
    throw new Error(`add/sub inputs differ in datatype: ${a.datatype} and ${b.datatype}`);
  }
  const x = a.data;
  const y = b.data;
  switch (a.datatype) {
    case "INT32":
      return Int32Array.from(x as Int32Array, (v, i) => (v + sign * ((y as Int32Array)[i] as number)) | 0);
    case "INT64":
      return BigInt64Array.from(x as BigInt64Array, (v, i) =>
        BigInt.asIntN(64, v + BigInt(sign) * ((y as BigInt64Array)[i] as bigint)),
      );
    case "FP32":
      return Float32Array.from(x as Float32Array, (v, i) =>
        Math.fround(v + sign * ((y as Float32Array)[i] as number)),
      );
    case "FP64":
      return Float64Array.from(x as Float64Array, (v, i) => v + sign * ((y as Float64Array)[i] as number));
    default:
      throw new Error(`add/sub has no ${a.datatype} kernel`);
  }
}
