import {
  type Datatype,
  datatypeTable,
  halfToNumber,
  numberToHalf,
  type Result,
  type Tensor,
  type TensorData,
} from "@tensorwire/codec";
import { describeValue } from "./describe-value.js";

const utf8 = new TextEncoder();

/**
 * The data of a datatype built from plain values (numbers, bigints, booleans, strings), as model
 * configs write them and as casts produce them. Integers must be exact and in range: a cast or a
 * config never rounds or wraps a value silently.
 */
export function dataFromValues(datatype: Datatype, values: readonly unknown[]): Result<TensorData> {
  const info = datatypeTable[datatype];
  if (datatype === "BYTES") {
    const out: Uint8Array[] = [];
    for (const value of values) {
      if (typeof value !== "string") {
        return { ok: false, error: `expected a string for BYTES, got ${describeValue(value)}` };
      }
      out.push(utf8.encode(value));
    }
    return { ok: true, value: out };
  }
  const TypedArray = info.TypedArray;
  if (TypedArray === undefined) {
    return { ok: false, error: `datatype ${datatype} has no typed array` };
  }
  const data = new TypedArray(values.length);
  for (let i = 0; i < values.length; i++) {
    const element = elementFromValue(datatype, values[i]);
    if (!element.ok) {
      return element;
    }
    data[i] = element.value as never;
  }
  return { ok: true, value: data };
}

function elementFromValue(datatype: Datatype, value: unknown): Result<number | bigint> {
  const info = datatypeTable[datatype];
  const n = typeof value === "boolean" ? Number(value) : value;
  if (datatype === "BOOL") {
    return n === 0 || n === 1 ? { ok: true, value: n } : bad(datatype, value);
  }
  if (info.range !== undefined) {
    const [min, max] = info.range;
    let big: bigint;
    if (typeof n === "bigint") {
      big = n;
    } else if (typeof n === "number" && Number.isSafeInteger(n)) {
      big = BigInt(n);
    } else {
      return bad(datatype, value);
    }
    if (big < min || big > max) {
      return bad(datatype, value);
    }
    return { ok: true, value: info.jsonKind === "bigint" ? big : Number(big) };
  }
  const f = typeof n === "bigint" ? Number(n) : n;
  if (typeof f !== "number") {
    return bad(datatype, value);
  }
  return { ok: true, value: datatype === "FP16" ? numberToHalf(f) : f };
}

function bad(datatype: Datatype, value: unknown): { ok: false; error: string } {
  return { ok: false, error: `value ${describeValue(value)} does not fit ${datatype}` };
}

/** The elements of a numeric or BOOL tensor as numbers or bigints (FP16 decoded from its bits). */
export function tensorValues(tensor: Tensor): readonly (number | bigint)[] {
  switch (tensor.datatype) {
    case "BYTES":
      throw new TypeError("BYTES tensors have no numeric values");
    case "FP16":
      return Array.from(tensor.data, halfToNumber);
    default:
      return Array.from(tensor.data as ArrayLike<number | bigint>);
  }
}
