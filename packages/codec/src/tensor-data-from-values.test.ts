import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Datatype, datatypes } from "./datatype.js";
import { TensorwireError } from "./error.js";
import { halfToNumber } from "./fp16.js";
import { createTensor, type TensorData, tensorEquals } from "./tensor.js";
import { tensorDataFromValues, type ValuesOptions } from "./tensor-data-from-values.js";
import { arbTensor } from "./testing/arbitraries.js";

/** A tensor's elements as the plain values code or JSON would give: what the conversion reads. */
function plainValues(datatype: Datatype, data: TensorData): unknown[] {
  if (datatype === "BOOL") {
    return Array.from(data as Uint8Array, (b) => b === 1);
  }
  if (datatype === "FP16") {
    return Array.from(data as Uint16Array, halfToNumber);
  }
  return Array.from(data as ArrayLike<unknown>);
}

describe("tensorDataFromValues()", () => {
  it("should give back the data of every datatype from its plain values", () => {
    fc.assert(
      fc.property(arbTensor({ datatypes: datatypes.filter((d) => d !== "BYTES") }), (tensor) => {
        const data = tensorDataFromValues(tensor.datatype, plainValues(tensor.datatype, tensor.data));
        const back = createTensor({ ...tensor, data });
        // FP16 NaN payloads do not survive a trip through numbers; every other value does.
        if (
          tensor.datatype !== "FP16" ||
          !Array.from(tensor.data as Uint16Array).some((b) => Number.isNaN(halfToNumber(b)))
        ) {
          expect(tensorEquals(back, tensor)).toBe(true);
        }
      }),
    );
  });

  it.each<[string, Datatype, unknown[], Partial<ValuesOptions>, string]>([
    ["1 in BOOL", "BOOL", [true, 1], {}, "data[1]: expected true or false, got 1"],
    [
      "300 in UINT8",
      "UINT8",
      [300],
      { tensor: "x" },
      "tensor 'x': data[0]: expected an integer in UINT8 range [0, 255], got 300",
    ],
    ["2^40 as bigint in INT32", "INT32", [2n ** 40n], {}, "expected an integer in INT32 range"],
    ["a rounded number in INT64", "INT64", [2 ** 60], {}, "parse with parseJsonText"],
    ["a string in FP32", "FP32", ["NaN"], {}, 'data[0]: expected a number, got "NaN"'],
    ["null in FP64", "FP64", [null], {}, "expected a number, got null"],
    ["a lone surrogate in BYTES", "BYTES", ["\ud800"], {}, "expected a string of well-formed Unicode"],
    [
      "bytes in BYTES without byteArrays",
      "BYTES",
      [Uint8Array.of(1)],
      {},
      "expected a string of well-formed Unicode, got",
    ],
    [
      "a b64 object without a b64 reader",
      "BYTES",
      [{ b64: "AA==" }],
      {},
      "expected a string of well-formed Unicode, got",
    ],
    [
      "a nested element",
      "UINT8",
      [1, 2, 3, -1],
      { field: "instances", nestedShape: [2, 2] },
      "instances[1][1]: expected",
    ],
  ])("should refuse %s", (_, datatype, values, options, message) => {
    const convert = () => tensorDataFromValues(datatype, values, options);
    expect(convert).toThrow(TensorwireError);
    expect(convert).toThrow(message);
  });

  it("should read the spellings its options allow", () => {
    expect(tensorDataFromValues("FP32", ["NaN", "-Infinity"], { nonFinite: "string" })).toEqual(
      Float32Array.of(Number.NaN, Number.NEGATIVE_INFINITY),
    );
    expect(tensorDataFromValues("FP64", [null], { nonFinite: "null" })).toEqual(Float64Array.of(Number.NaN));
    expect(tensorDataFromValues("INT64", [2 ** 60], { int64: "double" })).toEqual(
      BigInt64Array.of(2n ** 60n),
    );
    expect(tensorDataFromValues("BYTES", [Uint8Array.of(255)], { byteArrays: true })).toEqual([
      Uint8Array.of(255),
    ]);
    expect(
      tensorDataFromValues("BYTES", [{ b64: "/w==" }], {
        b64: (text) => Uint8Array.of(text === "/w==" ? 255 : 0),
      }),
    ).toEqual([Uint8Array.of(255)]);
    expect(tensorDataFromValues("UINT64", [2n ** 64n - 1n])).toEqual(BigUint64Array.of(2n ** 64n - 1n));
  });
});
