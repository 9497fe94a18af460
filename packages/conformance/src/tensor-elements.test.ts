import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Datatype, datatypes, integerRange } from "./datatype-table.js";
import {
  elementFromJson,
  elementsFromJson,
  elementsFromRaw,
  jsonFromElement,
  rawFromElements,
} from "./tensor-elements.js";

/** JSON values of a datatype as a server or a case would write them. */
function jsonValue(datatype: Datatype): fc.Arbitrary<unknown> {
  switch (datatype) {
    case "BOOL":
      return fc.boolean();
    case "FP16":
      return fc
        .float({ noNaN: true })
        .map((v) => (Math as unknown as { f16round(x: number): number }).f16round(v));
    case "FP32":
      return fc.float({ noNaN: true });
    case "FP64":
      return fc.double({ noNaN: true });
    case "BYTES":
      return fc.string({ unit: "grapheme" });
    default: {
      const [min, max] = integerRange(datatype);
      return fc.bigInt({ min, max }).map((v) => (Number.isSafeInteger(Number(v)) ? Number(v) : v));
    }
  }
}

describe("elementsFromRaw() and rawFromElements()", () => {
  it.each(datatypes)("should round-trip %s elements through little-endian bytes", (datatype) => {
    fc.assert(
      fc.property(fc.array(jsonValue(datatype), { maxLength: 20 }), (values) => {
        const elements = elementsFromJson(datatype, values);
        expect(elementsFromRaw(datatype, rawFromElements(datatype, elements))).toEqual(elements);
      }),
    );
  });

  it("should read little-endian: bytes 00 00 00 01 are the INT32 16777216", () => {
    expect(elementsFromRaw("INT32", Uint8Array.of(0, 0, 0, 1))).toEqual(["16777216"]);
  });

  it("should refuse a BOOL byte other than 0 or 1, a partial element and a cut BYTES prefix", () => {
    expect(() => elementsFromRaw("BOOL", Uint8Array.of(2))).toThrow("neither 0 nor 1");
    expect(() => elementsFromRaw("INT32", Uint8Array.of(1, 0, 0, 0, 0))).toThrow("not a whole number");
    expect(() => elementsFromRaw("BYTES", Uint8Array.of(1, 0))).toThrow("cut short");
  });
});

describe("elementFromJson() and jsonFromElement()", () => {
  it.each(datatypes)("should round-trip %s values through JSON", (datatype) => {
    fc.assert(
      fc.property(jsonValue(datatype), (value) => {
        const element = elementFromJson(datatype, value);
        expect(typeof element).toBe("string");
        expect(elementFromJson(datatype, jsonFromElement(datatype, element as string))).toBe(element);
      }),
    );
  });

  it("should keep 64-bit integers exact and tell 2^53 + 1 from 2^53", () => {
    expect(elementFromJson("INT64", 9007199254740993n)).toBe("9007199254740993");
    expect(elementFromJson("UINT64", 18446744073709551615n)).toBe("18446744073709551615");
    expect(elementFromJson("INT64", 9007199254740992)).not.toBe(elementFromJson("INT64", 9007199254740993n));
  });

  it.each([
    ["BOOL", 1, "expected true or false"],
    ["UINT8", 256, "UINT8 range"],
    ["INT32", 1.5, "INT32 range"],
    ["UINT64", -1, "UINT64 range"],
    ["FP32", "1", "expected a number"],
    ["BYTES", 5, "expected a string"],
  ] as const)("should refuse %s %j", (datatype, value, message) => {
    expect(elementFromJson(datatype, value)).toEqual({ error: expect.stringContaining(message) });
  });

  it("should tell -0 from 0 and read NaN as NaN for floats", () => {
    expect(elementFromJson("FP32", -0)).toBe("-0");
    expect(elementFromJson("FP64", Number.NaN)).toBe("NaN");
  });
});
