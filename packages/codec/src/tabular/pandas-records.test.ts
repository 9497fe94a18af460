import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TensorwireError } from "../error.js";
import { parseJsonText, stringifyJsonText } from "../json-text.js";
import { type Tensor, tensorEquals } from "../tensor.js";
import { arbTable, canonicalNaN } from "../testing/arb-table.js";
import { arbUtf8Bytes } from "../testing/arbitraries.js";
import { decodePandasRecords, encodePandasRecords } from "./pandas-records.js";

/**
 * What pandas records cannot express, and so what the round-trip properties leave out:
 *
 * | combination                 | reason                                                             |
 * |-----------------------------|--------------------------------------------------------------------|
 * | rank-0 tensors              | a column has one cell per row                                      |
 * | BYTES that are not UTF-8    | cells are JSON strings                                             |
 * | ±Infinity, NaN payloads     | pandas writes null; null reads back as NaN (lossy)                 |
 * | datatypes without metadata  | JSON has no datatype: numbers infer as FP64                        |
 * | an empty table's columns    | `[]` has no rows to name them; metadata supplies them              |
 */

const wire = (body: unknown): unknown => parseJsonText(stringifyJsonText(body as never));

// The pandas-records body of Wallaroo's documented example "Perform Inference via API Example: pandas
// Record", verbatim.
const wallarooRecords = [
  {
    tensor: [
      1.0678324729, 0.2177810266, -1.7115145262, 0.682285721, 1.0138553067, -0.4335000013, 0.7395859437,
      -0.2882839595, -0.447262688, 0.5146124988, 0.3791316964, 0.5190619748, -0.4904593222, 1.1656456469,
      -0.9776307444, -0.6322198963, -0.6891477694, 0.1783317857, 0.1397992467, -0.3554220649, 0.4394217877,
      1.4588397512, -0.3886829615, 0.4353492889, 1.7420053483, -0.4434654615, -0.1515747891, -0.2668451725,
      -1.4549617756,
    ],
  },
];

describe("encodePandasRecords() / decodePandasRecords()", () => {
  it("should round-trip columns of every datatype when metadata gives the datatypes", () => {
    fc.assert(
      fc.property(arbTable({ bytes: arbUtf8Bytes }), (tensors) => {
        const metadata = tensors.map((t) => ({
          name: t.name,
          datatype: t.datatype,
          shape: [-1, ...t.shape.slice(1)],
        }));
        const back = decodePandasRecords(wire(encodePandasRecords(tensors)), { metadata });
        expect(back.map((t) => t.name).sort()).toEqual(tensors.map((t) => t.name).sort());
        for (const t of back) {
          const want = tensors.find((w) => w.name === t.name) as Tensor;
          expect(tensorEquals(canonicalNaN(t, true), canonicalNaN(want, true))).toBe(true);
        }
      }),
    );
  });

  it("should decode the Wallaroo tutorial's record as one [1, 29] tensor", () => {
    const [t] = decodePandasRecords(wallarooRecords, {
      metadata: [{ name: "tensor", datatype: "FP32", shape: [-1, 29] }],
    });
    expect(t).toMatchObject({ name: "tensor", datatype: "FP32", shape: [1, 29] });
    expect(t?.data[0]).toBe(Math.fround(1.0678324729));
  });

  it("should build Wallaroo-style response rows from renamed tensors", () => {
    const [input] = decodePandasRecords(wallarooRecords);
    const out = { ...(input as Tensor), name: "out.dense_1", shape: [1, 29] } as Tensor;
    const [row] = encodePandasRecords([{ ...(input as Tensor), name: "in.tensor" } as Tensor, out]);
    expect(Object.keys(row as object)).toEqual(["in.tensor", "out.dense_1"]);
  });

  it.each([
    [[{ a: [1, 2] }, { a: [1] }], /ragged nested array/],
    [[[1, 2]], /to be an object of named columns/],
    [{ a: 1 }, /to be a list of rows/],
    [[{ a: 1 }, { a: "x" }], /mixes numbers and strings/],
  ])("should reject %j", (body, message) => {
    expect(() => decodePandasRecords(body)).toThrow(message);
  });

  it("should read an empty table as no columns", () => {
    expect(decodePandasRecords([])).toEqual([]);
  });

  it("should throw only TensorwireError for arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          decodePandasRecords(value);
        } catch (err) {
          expect(err).toBeInstanceOf(TensorwireError);
        }
      }),
    );
  });
});
