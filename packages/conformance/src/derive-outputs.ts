import type { Derivation } from "./case-schema.js";
import type { Datatype } from "./datatype-table.js";
import type { OracleRequest } from "./read-request.js";
import type { Element, OracleTensor } from "./tensor-elements.js";

/**
 * The outputs a conformance model must return for a request, computed from the request itself
 * (expectations are derived, not restated per case). Only the requested outputs, when the request
 * names some, in the order the model defines them. Throws when the request is not one the model
 * could answer.
 */
export function deriveOutputs(derivation: Derivation, request: OracleRequest): OracleTensor[] {
  const all = compute[derivation](request);
  const requested = request.outputs;
  return requested === undefined ? all : all.filter((t) => requested.includes(t.name));
}

function input(request: OracleRequest, name: string): OracleTensor {
  const tensor = request.inputs.find((t) => t.name === name);
  if (tensor === undefined) {
    throw new Error(`derived outputs need input '${name}'`);
  }
  return tensor;
}

function output(
  from: OracleTensor,
  name: string,
  elements: Element[],
  datatype = from.datatype,
): OracleTensor {
  return { name, datatype, shape: from.shape, elements };
}

const float = (e: Element) => (e === "-0" ? -0 : Number(e));
const fp = (n: number) => (Object.is(n, -0) ? "-0" : String(n));

const compute: Readonly<Record<Derivation, (request: OracleRequest) => OracleTensor[]>> = {
  identity: (request) => {
    const x = input(request, "INPUT0");
    return [output(x, "OUTPUT0", [...x.elements])];
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
    const values = x.elements.map(float);
    return [
      output(
        x,
        "OUTPUT0",
        values.map((v) => fp(Math.fround(2 * v))),
      ),
      output(
        x,
        "OUTPUT1",
        values.map((v) => String(BigInt(Math.trunc(v)))),
        "INT64",
      ),
      output(
        x,
        "OUTPUT2",
        values.map((v) => String(v > 0)),
        "BOOL",
      ),
    ];
  },
};

const integerBits: Partial<Record<Datatype, number>> = { INT32: 32, INT64: 64 };

/** a + sign·b with the datatype's arithmetic: wrapping integers, single-precision FP32. */
function elementwise(a: OracleTensor, b: OracleTensor, sign: 1 | -1): Element[] {
  if (a.datatype !== b.datatype) {
    throw new Error(`add/sub inputs differ in datatype: ${a.datatype} and ${b.datatype}`);
  }
  const bits = integerBits[a.datatype];
  if (bits !== undefined) {
    return a.elements.map((x, i) =>
      String(BigInt.asIntN(bits, BigInt(x) + BigInt(sign) * BigInt(b.elements[i] as string))),
    );
  }
  if (a.datatype === "FP32" || a.datatype === "FP64") {
    const round = a.datatype === "FP32" ? Math.fround : (v: number) => v;
    return a.elements.map((x, i) => fp(round(float(x) + sign * float(b.elements[i] as string))));
  }
  throw new Error(`add/sub has no ${a.datatype} kernel`);
}
