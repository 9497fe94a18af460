import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TensorwireError } from "../error.js";
import { parseJsonText, stringifyJsonText } from "../json-text.js";
import type { TensorMetadata } from "../metadata.js";
import { createTensor, type Tensor, tensorEquals } from "../tensor.js";
import { arbTable, canonicalNaN } from "../testing/arb-table.js";
import { arbUtf8Bytes } from "../testing/arbitraries.js";
import {
  decodeKserveV1Request,
  decodeKserveV1Response,
  encodeKserveV1Request,
  encodeKserveV1Response,
} from "./kserve-v1.js";

/**
 * What KServe V1 JSON cannot express, and so what the round-trip properties leave out:
 *
 * | combination                    | reason                                                           |
 * |--------------------------------|------------------------------------------------------------------|
 * | rank-0 tensors                 | instances/predictions are rows: every tensor has a dim 0         |
 * | (none for BYTES)               | non-UTF-8 bytes travel as {"b64": ...}, TF-Serving's convention  |
 * | ±Infinity, NaN payloads        | written as null (orjson's choice), read back as NaN (lossy)      |
 * | any datatype but FP64/BOOL/BYTES without metadata | JSON has no datatype: numbers infer as FP64   |
 * | empty dims without metadata    | `[]` hides the dims below it; metadata supplies them             |
 */

const specsOf = (tensors: readonly Tensor[]): TensorMetadata[] =>
  tensors.map((t) => ({ name: t.name, datatype: t.datatype, shape: [-1, ...t.shape.slice(1)] }));

const lossyEquals = (a: Tensor, b: Tensor): boolean =>
  tensorEquals(canonicalNaN(a, true), canonicalNaN(b, true));

/** Object rows name their tensors; key order is the object's (integer-like keys first), so match by name. */
function expectSameTensors(got: readonly Tensor[], want: readonly Tensor[]): void {
  expect(got.map((t) => t.name).sort()).toEqual(want.map((t) => t.name).sort());
  for (const t of got) {
    expect(lossyEquals(t, want.find((w) => w.name === t.name) as Tensor)).toBe(true);
  }
}

function wire<T>(body: T): unknown {
  return parseJsonText(stringifyJsonText(body as never));
}

describe("encodeKserveV1Request() / decodeKserveV1Request()", () => {
  it("should round-trip named tensors of every datatype when metadata gives the datatypes", () => {
    fc.assert(
      fc.property(arbTable({ bytes: arbUtf8Bytes }), (tensors) => {
        const body = wire(encodeKserveV1Request(tensors));
        const back = decodeKserveV1Request(body, { metadata: specsOf(tensors) });
        expectSameTensors(back, tensors);
      }),
    );
  });

  it("should round-trip a single unnamed tensor, named by metadata", () => {
    fc.assert(
      fc.property(arbTable({ bytes: arbUtf8Bytes, maxColumns: 1 }), ([tensor]) => {
        const t = tensor as Tensor;
        const body = wire(encodeKserveV1Response([t]));
        expect(Array.isArray((body as { predictions: unknown }).predictions)).toBe(true);
        const [back] = decodeKserveV1Response(body, { metadata: specsOf([t]) });
        expect(lossyEquals(back as Tensor, t)).toBe(true);
      }),
    );
  });

  it("should infer FP64, BOOL and BYTES without metadata", () => {
    fc.assert(
      fc.property(
        arbTable({ datatypes: ["FP64", "BOOL", "BYTES"], bytes: arbUtf8Bytes }).filter((ts) =>
          ts.every((t) => t.data.length > 0),
        ),
        (tensors) => {
          const back = decodeKserveV1Request(wire(encodeKserveV1Request(tensors, { named: true })));
          expectSameTensors(back, tensors);
        },
      ),
    );
  });

  it("should decode the KServe client's explain example", () => {
    const [t] = decodeKserveV1Request({ instances: [[1.0, 2.0, 5.0]] });
    expect(t).toEqual(
      createTensor({ name: "input-0", datatype: "FP64", shape: [1, 3], data: new Float64Array([1, 2, 5]) }),
    );
  });

  it("should map each key of object rows to its own tensor", () => {
    const tensors = decodeKserveV1Request(
      {
        instances: [
          { a: [1, 2], b: "x" },
          { a: [3, 4], b: "y" },
        ],
      },
      {
        metadata: [
          { name: "a", datatype: "INT32", shape: [-1, 2] },
          { name: "b", datatype: "BYTES", shape: [-1] },
        ],
      },
    );
    expect(tensors.map((t) => [t.name, t.datatype, t.shape])).toEqual([
      ["a", "INT32", [2, 2]],
      ["b", "BYTES", [2]],
    ]);
  });

  it.each([
    [{ instances: [[1, 2], [3]] }, /ragged nested array/],
    [{ instances: [1, "a"] }, /mixes numbers and strings/],
    [{ instances: [{ a: 1 }, { b: 1 }] }, /to have the keys of 'instances\[0\]'/],
    [{ instances: 3 }, /expected 'instances' to be a list/],
    [{ inputs: [] }, /with 'instances'/],
    [{ instances: [[{ x: 1 }]] }, /expected a number, string or boolean/],
  ])("should reject %j", (body, message) => {
    expect(() => decodeKserveV1Request(body)).toThrow(message);
  });

  it("should read null as NaN, as pandas and orjson write it", () => {
    const [t] = decodeKserveV1Request({ instances: [1, null] });
    expect(Array.from(t?.data as Float64Array)).toEqual([1, Number.NaN]);
  });

  it('should read {"b64": ...} values as bytes, as KServe\'s image examples send them', () => {
    const [t] = decodeKserveV1Request({ instances: [{ b64: "/wA=" }, "ok"] });
    expect(t?.datatype).toBe("BYTES");
    expect(t?.data).toEqual([Uint8Array.of(0xff, 0), new TextEncoder().encode("ok")]);
  });

  it("should check values against metadata", () => {
    const metadata: TensorMetadata[] = [{ name: "x", datatype: "UINT8", shape: [-1, 2] }];
    expect(() => decodeKserveV1Request({ instances: [[1, 300]] }, { metadata })).toThrow(
      "tensor 'x': instances[0][1]: expected an integer in UINT8 range [0, 255], got 300",
    );
    expect(() => decodeKserveV1Request({ instances: [[1, 2, 3]] }, { metadata })).toThrow(
      /expected shape \[-1,2\], got \[1,3\]/,
    );
  });

  it("should throw only TensorwireError for arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, wrap) => {
        const body = wrap ? { instances: value } : value;
        for (const decode of [decodeKserveV1Request, decodeKserveV1Response]) {
          try {
            decode(body);
          } catch (err) {
            expect(err).toBeInstanceOf(TensorwireError);
          }
        }
      }),
    );
  });
});
