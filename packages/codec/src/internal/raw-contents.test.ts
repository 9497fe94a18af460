import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Datatype, datatypes } from "../datatype.js";
import { TensorwireError } from "../error.js";
import { createTensor, type TensorData, tensorEquals } from "../tensor.js";
import { arbShape, arbTensor } from "../testing/arbitraries.js";
import { tensorFromRawContents, tensorToRawContents } from "./raw-contents.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const fromHex = (text: string) => new Uint8Array(Buffer.from(text.replaceAll(" ", ""), "hex"));
const bytes = (s: string) => new TextEncoder().encode(s);

const golden: [Datatype, TensorData, string][] = [
  ["BOOL", Uint8Array.of(1, 0), "01 00"],
  ["UINT8", Uint8Array.of(1, 255), "01 ff"],
  ["UINT16", Uint16Array.of(1, 0xabcd), "0100 cdab"],
  ["UINT32", Uint32Array.of(1), "01000000"],
  ["UINT64", BigUint64Array.of(1n), "0100000000000000"],
  ["INT8", Int8Array.of(-1), "ff"],
  ["INT16", Int16Array.of(-2), "feff"],
  ["INT32", Int32Array.of(1), "01 00 00 00"],
  ["INT64", BigInt64Array.of(-1n), "ffffffffffffffff"],
  ["FP16", Uint16Array.of(0x3c00), "00 3c"],
  ["FP32", Float32Array.of(1), "0000803f"],
  ["FP64", Float64Array.of(1), "000000000000f03f"],
  ["BYTES", [bytes("ab")], "02 00 00 00 61 62"],
  ["BYTES", [bytes(""), bytes("c")], "00000000 01000000 63"],
];

describe("tensorToRawContents() / tensorFromRawContents()", () => {
  it.each(golden)("should write and read %s golden bytes", (datatype, data, text) => {
    const tensor = createTensor({ name: "x", datatype, shape: [data.length], data });
    expect(hex(tensorToRawContents(tensor))).toBe(text.replaceAll(" ", ""));
    const decoded = tensorFromRawContents({ name: "x", datatype, shape: [data.length] }, fromHex(text));
    expect(tensorEquals(decoded, tensor)).toBe(true);
  });

  it("should read little-endian whatever the host: big-endian 1 is 16777216", () => {
    const t = tensorFromRawContents({ name: "x", datatype: "INT32", shape: [1] }, fromHex("00000001"));
    expect(t.data[0]).toBe(16777216);
  });

  it("should round-trip every datatype", () => {
    fc.assert(
      fc.property(arbTensor(), (t) => tensorEquals(tensorFromRawContents(t, tensorToRawContents(t)), t)),
    );
  });

  it("should read data at an unaligned offset", () => {
    const body = fromHex("ff 0000803f 00000040");
    const t = tensorFromRawContents({ name: "x", datatype: "FP32", shape: [2] }, body.subarray(1));
    expect(Array.from(t.data as Float32Array)).toEqual([1, 2]);
  });

  it("should share memory with aligned input (zero copy)", () => {
    const body = fromHex("0000803f");
    const t = tensorFromRawContents({ name: "x", datatype: "FP32", shape: [1] }, body);
    expect((t.data as Float32Array).buffer).toBe(body.buffer);
  });

  it("should name the tensor, expected and actual byte counts on a length mismatch", () => {
    expect(() =>
      tensorFromRawContents({ name: "INPUT0", datatype: "FP32", shape: [1, 16] }, new Uint8Array(60)),
    ).toThrow("tensor 'INPUT0': expected 64 bytes for FP32 shape [1,16], got 60");
  });

  it("should refuse BOOL bytes other than 0 and 1", () => {
    expect(() =>
      tensorFromRawContents({ name: "b", datatype: "BOOL", shape: [2] }, Uint8Array.of(1, 2)),
    ).toThrow("tensor 'b': BOOL element 1 is 2, expected 0 or 1");
  });

  it("should refuse a BYTES element count that does not match the shape", () => {
    expect(() =>
      tensorFromRawContents({ name: "s", datatype: "BYTES", shape: [2] }, fromHex("0100000061")),
    ).toThrow("tensor 's': expected 2 elements for shape [2], got 1");
  });

  it("should throw only TensorwireError for arbitrary bytes", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...datatypes, "FLOAT32"),
        arbShape(),
        fc.uint8Array({ maxLength: 64 }),
        (dt, shape, b) => {
          try {
            tensorFromRawContents({ name: "x", datatype: dt, shape }, b);
          } catch (err) {
            expect(err).toBeInstanceOf(TensorwireError);
          }
        },
      ),
    );
  });
});
