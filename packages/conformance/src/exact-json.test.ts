import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseExactJson, stringifyExactJson } from "./exact-json.js";

describe("parseExactJson() and stringifyExactJson()", () => {
  it("should round-trip JSON with 64-bit integers exactly", () => {
    const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n });
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        int64.map((v) => (Number.isSafeInteger(Number(v)) ? Number(v) : v)),
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Number.isInteger(v)),
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(parseExactJson(stringifyExactJson(v))).toEqual(v);
      }),
    );
  });

  it("should read 9007199254740993 as a bigint, not as 9007199254740992", () => {
    expect(parseExactJson("[9007199254740993, 9007199254740991, 1e20, 2.5]")).toEqual([
      9007199254740993n,
      9007199254740991,
      1e20,
      2.5,
    ]);
  });

  it("should read bare non-finite tokens only when asked, and never inside strings", () => {
    expect(() => parseExactJson("[NaN]")).toThrow(SyntaxError);
    expect(parseExactJson('[NaN, -Infinity, Infinity, "NaN"]', { nonFiniteTokens: true })).toEqual([
      Number.NaN,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      "NaN",
    ]);
  });
});
