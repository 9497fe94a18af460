import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { halfToNumber, numberToHalf } from "./fp16.js";

describe("halfToNumber() / numberToHalf()", () => {
  it("should round-trip every non-NaN bit pattern", () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = halfToNumber(bits);
      if (!Number.isNaN(value)) {
        expect(numberToHalf(value)).toBe(bits);
      }
    }
  });

  it.each([
    [1.0, 0x3c00],
    [-2.0, 0xc000],
    [65504, 0x7bff],
    [65520, 0x7c00],
    [2 ** -24, 0x0001],
    [0.1, 0x2e66],
  ])("should encode %d as 0x%s", (value, bits) => {
    expect(numberToHalf(value)).toBe(bits);
  });

  it("should keep NaN a NaN", () => {
    fc.assert(fc.property(fc.constant(Number.NaN), (nan) => Number.isNaN(halfToNumber(numberToHalf(nan)))));
  });
});
