import fc from "fast-check";
import { type Datatype, datatypes } from "../datatype.js";
import { halfToNumber, numberToHalf } from "../fp16.js";
import { elementCount } from "../shape.js";
import { createTensor, type Tensor } from "../tensor.js";

/**
 * fast-check arbitraries shared by every codec's property tests, so each format is exercised with
 * the same tensors: every datatype, empty and scalar shapes, extreme values, NaN and -0.
 */

export const arbShape = (maxRank = 3, maxDim = 4): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 0, max: maxDim }), { minLength: 0, maxLength: maxRank });

const fixedBytesOf = (count: number, size: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength: count * size, maxLength: count * size });

export function arbData(datatype: Datatype, count: number): fc.Arbitrary<Tensor["data"]> {
  switch (datatype) {
    case "BOOL":
      return fc
        .array(fc.boolean(), { minLength: count, maxLength: count })
        .map((b) => Uint8Array.from(b, Number));
    case "UINT8":
      return fixedBytesOf(count, 1);
    case "INT8":
      return fixedBytesOf(count, 1).map((b) => new Int8Array(b.buffer));
    case "UINT16":
      return fixedBytesOf(count, 2).map((b) => new Uint16Array(b.buffer));
    case "INT16":
      return fixedBytesOf(count, 2).map((b) => new Int16Array(b.buffer));
    case "UINT32":
      return fixedBytesOf(count, 4).map((b) => new Uint32Array(b.buffer));
    case "INT32":
      return fixedBytesOf(count, 4).map((b) => new Int32Array(b.buffer));
    case "UINT64":
      return fixedBytesOf(count, 8).map((b) => new BigUint64Array(b.buffer));
    case "INT64":
      return fixedBytesOf(count, 8).map((b) => new BigInt64Array(b.buffer));
    case "FP16":
      // Any bit pattern, NaN payloads included: FP16 data is kept as bits and must survive untouched.
      return fixedBytesOf(count, 2).map((b) => new Uint16Array(b.buffer));
    case "FP32":
      return fc.array(fc.float(), { minLength: count, maxLength: count }).map((v) => Float32Array.from(v));
    case "FP64":
      return fc.array(fc.double(), { minLength: count, maxLength: count }).map((v) => Float64Array.from(v));
    case "BYTES":
      return fc.array(fc.uint8Array({ maxLength: 12 }), { minLength: count, maxLength: count });
  }
}

export interface TensorArbOptions {
  readonly datatypes?: readonly Datatype[];
  readonly maxRank?: number;
  readonly maxDim?: number;
  readonly name?: fc.Arbitrary<string>;
  /** Restrict BYTES elements, e.g. to UTF-8 text for formats that carry strings. */
  readonly bytes?: fc.Arbitrary<Uint8Array>;
}

export function arbTensor(options: TensorArbOptions = {}): fc.Arbitrary<Tensor> {
  const names = options.name ?? fc.string({ minLength: 1, maxLength: 8 });
  return fc
    .record({
      name: names,
      datatype: fc.constantFrom(...(options.datatypes ?? datatypes)),
      shape: arbShape(options.maxRank, options.maxDim),
    })
    .chain(({ name, datatype, shape }) => {
      const count = elementCount(shape);
      const data =
        datatype === "BYTES" && options.bytes !== undefined
          ? fc.array(options.bytes, { minLength: count, maxLength: count })
          : arbData(datatype, count);
      return data.map((d) => createTensor({ name, datatype, shape, data: d }));
    });
}

/** UTF-8 text as bytes, for formats whose BYTES elements are JSON strings. */
export const arbUtf8Bytes: fc.Arbitrary<Uint8Array> = fc
  .string({ unit: "grapheme", maxLength: 8 })
  .map((s) => new TextEncoder().encode(s));

/**
 * The tensor with every NaN replaced by the canonical one, for comparing through formats that carry
 * a single NaN (JSON) or read floats through JavaScript numbers (protobuf-es), which may change a
 * NaN's payload.
 */
export function canonicalNaN(t: Tensor): Tensor {
  if (t.datatype === "FP16") {
    const nan = numberToHalf(Number.NaN);
    return { ...t, data: t.data.map((b) => (Number.isNaN(halfToNumber(b)) ? nan : b)) };
  }
  if (t.datatype === "FP32" || t.datatype === "FP64") {
    const data = t.data.slice();
    data.forEach((v, i) => {
      if (Number.isNaN(v)) {
        data[i] = Number.NaN;
      }
    });
    return { ...t, data } as Tensor;
  }
  return t;
}
