import {
  Field,
  FixedSizeList,
  Float32,
  List,
  makeData,
  makeVector,
  Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TensorwireError } from "../error.js";
import { createTensor, type Tensor, tensorEquals } from "../tensor.js";
import { arbTable } from "../testing/arb-table.js";
import { arrowIpcFormat, decodeArrowIpc, encodeArrowIpc } from "./arrow.js";

/**
 * What Arrow tables cannot express, and so what the round-trip properties leave out:
 *
 * | combination      | reason                                                    |
 * |------------------|-----------------------------------------------------------|
 * | rank-0 tensors   | a column has one value per row                            |
 * Every datatype round-trips exactly (FP16 as Float16 bit patterns, BYTES as Binary).
 */

function expectTableOf(got: readonly Tensor[], want: readonly Tensor[]): void {
  expect(got.map((t) => t.name)).toEqual(want.map((t) => t.name));
  for (const [i, t] of got.entries()) {
    expect(tensorEquals(t, want[i] as Tensor), t.name).toBe(true);
  }
}

describe("encodeArrowIpc() / decodeArrowIpc()", () => {
  it.each(["file", "stream"] as const)(
    "should round-trip every datatype exactly in the %s format",
    (format) => {
      fc.assert(
        fc.property(arbTable(), (tensors) => {
          const bytes = encodeArrowIpc(tensors, { format });
          expect(arrowIpcFormat(bytes)).toBe(format);
          expectTableOf(decodeArrowIpc(bytes), tensors);
        }),
      );
    },
  );

  it("should nest dotted names as Struct columns and read them back flat", () => {
    fc.assert(
      fc.property(
        arbTable(),
        fc.array(fc.constantFrom("in", "out", ""), { maxLength: 8 }),
        (tensors, groups) => {
          // Columns in groups "in"/"out" (grouped in first-appearance order), the rest at top level.
          const named = tensors.map((t, i) => {
            const group = groups[i] ?? "";
            return { ...t, name: group === "" ? `c${i}` : `${group}.c${i}` } as Tensor;
          });
          const bytes = encodeArrowIpc(named, { nest: "." });
          const table = tableFromIPC(bytes);
          const top = [...new Set(named.map((t) => t.name.split(".")[0]))];
          expect(table.schema.fields.map((f) => f.name)).toEqual(top);
          const order = top.flatMap((name) => named.filter((t) => t.name.split(".")[0] === name));
          expectTableOf(decodeArrowIpc(bytes), order);
        },
      ),
    );
  });

  it("should read pyarrow-style list<float> columns with equal row lengths, as Wallaroo sends", () => {
    const child = makeData({
      type: new Float32(),
      length: 4,
      nullCount: 0,
      data: new Float32Array([1, 2, 3, 4]),
    });
    const type = new List(new Field("item", new Float32(), true));
    const list = makeData({ type, length: 2, nullCount: 0, valueOffsets: new Int32Array([0, 2, 4]), child });
    const bytes = tableToIPC(new Table({ "in.tensor": makeVector(list) }), "file");
    expect(decodeArrowIpc(bytes)).toEqual([
      createTensor({
        name: "in.tensor",
        datatype: "FP32",
        shape: [2, 2],
        data: new Float32Array([1, 2, 3, 4]),
      }),
    ]);
  });

  it("should read Utf8 columns as BYTES", () => {
    const bytes = tableToIPC(new Table({ s: vectorFromArray(["a", "bc"], new Utf8()) }), "stream");
    const [t] = decodeArrowIpc(bytes);
    expect(t?.datatype).toBe("BYTES");
    expect(t?.data).toEqual([new Uint8Array([97]), new Uint8Array([98, 99])]);
  });

  it("should reject ragged lists, nulls and types without a datatype", () => {
    const child = makeData({ type: new Float32(), length: 3, nullCount: 0, data: new Float32Array(3) });
    const type = new List(new Field("item", new Float32(), true));
    const ragged = makeData({
      type,
      length: 2,
      nullCount: 0,
      valueOffsets: new Int32Array([0, 1, 3]),
      child,
    });
    expect(() => decodeArrowIpc(tableToIPC(new Table({ x: makeVector(ragged) })))).toThrow(
      /ragged list column/,
    );
    expect(() => decodeArrowIpc(tableToIPC(new Table({ x: vectorFromArray([1, null]) })))).toThrow(/null/);
    expect(() => decodeArrowIpc(tableToIPC(new Table({ t: vectorFromArray([new Date(0)]) })))).toThrow(
      /has no tensor datatype/,
    );
    const fsl = new FixedSizeList(2, new Field("item", new Float32(), false));
    expect(fsl.listSize).toBe(2);
  });

  it("should reject scalars and unequal row counts on encode", () => {
    const scalar = createTensor({ name: "s", datatype: "INT32", shape: [], data: new Int32Array(1) });
    expect(() => encodeArrowIpc([scalar])).toThrow(/rank ≥ 1/);
    const a = createTensor({ name: "a", datatype: "INT32", shape: [1], data: new Int32Array(1) });
    const b = createTensor({ name: "b", datatype: "INT32", shape: [2], data: new Int32Array(2) });
    expect(() => encodeArrowIpc([a, b])).toThrow(/expected 1 rows/);
  });

  it("should throw only TensorwireError for arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        try {
          decodeArrowIpc(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(TensorwireError);
        }
      }),
    );
  });

  it("should throw only TensorwireError for corrupted IPC", () => {
    const valid = fc.tuple(arbTable(), fc.constantFrom("file" as const, "stream" as const));
    fc.assert(
      fc.property(
        valid,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        ([tensors, format], flips, cut) => {
          const bytes = encodeArrowIpc(tensors, { format });
          for (const [at, value] of flips) {
            bytes[at % bytes.length] = value;
          }
          try {
            decodeArrowIpc(bytes.subarray(0, bytes.length - (cut % 8)));
          } catch (err) {
            expect(err).toBeInstanceOf(TensorwireError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
