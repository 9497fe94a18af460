import fc from "fast-check";
import { expect } from "vitest";
import { type Datatype, datatypes } from "../datatype.js";
import type { InferRequest } from "../infer.js";
import { createTensor, type Tensor, tensorEquals } from "../tensor.js";
import { arbTensor, canonicalNaN } from "./arbitraries.js";

/** Shared by the gRPC tests: request parts and comparisons of decoded messages. */

// FP16 is the one datatype without an InferTensorContents field (the spec: raw contents only).
export const typedDatatypes = datatypes.filter((d) => d !== "FP16");
export const arbTensors = (types: readonly Datatype[] = datatypes) =>
  fc.uniqueArray(arbTensor({ datatypes: types }), { selector: (t) => t.name, maxLength: 3 });
export const arbParameters = fc.option(
  fc.dictionary(
    fc.string({ maxLength: 4 }),
    fc.oneof(
      fc.string(),
      fc.boolean(),
      fc.integer(),
      fc.double({ noNaN: true }),
      // Safe integers come back as numbers, whatever type they went in as.
      fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
    ),
    { minKeys: 1, maxKeys: 3 },
  ),
  { nil: undefined },
);

export function sameTensors(a: readonly Tensor[], b: readonly Tensor[]): boolean {
  // protobuf-es reads floats through numbers, which may quiet a signalling NaN: NaNs compare as NaN.
  return (
    a.length === b.length && a.every((t, i) => tensorEquals(canonicalNaN(t), canonicalNaN(b[i] as Tensor)))
  );
}

export function expectSameRequest(a: InferRequest, b: InferRequest): void {
  expect(sameTensors(a.inputs, b.inputs)).toBe(true);
  expect({ ...a, inputs: [] }).toEqual({ ...b, inputs: [] });
}

export const first = <T>(items: readonly T[]): T => items[0] as T;

export const tensor = (datatype: Datatype, data: Tensor["data"], name = "x") =>
  createTensor({ name, datatype, shape: [data.length], data });
