import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultMaxJsonDepth, type JsonValue, parseJsonText, stringifyJsonText } from "./json-text.js";

/** `depth` arrays (or single-key objects) around `inner`. */
const nested = (depth: number, inner: string, kind: "array" | "object" = "array"): string =>
  kind === "array"
    ? "[".repeat(depth) + inner + "]".repeat(depth)
    : '{"k":'.repeat(depth) + inner + "}".repeat(depth);

// Each form of text reaches a different parser: plain JSON goes to JSON.parse after the depth scan,
// a long integer or a bare NaN (with nonFiniteTokens) to the package's own recursive descent.
const inners = [
  { name: "JSON.parse", inner: "1", tokens: false },
  { name: "own parser (long integer)", inner: "9007199254740993", tokens: false },
  { name: "own parser (NaN token)", inner: "NaN", tokens: true },
] as const;

describe("parseJsonText nesting limit", () => {
  for (const { name, inner, tokens } of inners) {
    for (const kind of ["array", "object"] as const) {
      it(`${name}, ${kind}s: ${defaultMaxJsonDepth} levels parse, one more is refused naming the limit`, () => {
        expect(() =>
          parseJsonText(nested(defaultMaxJsonDepth, inner, kind), { nonFiniteTokens: tokens }),
        ).not.toThrow();
        expect(() =>
          parseJsonText(nested(defaultMaxJsonDepth + 1, inner, kind), { nonFiniteTokens: tokens }),
        ).toThrow(
          expect.objectContaining({
            code: "invalid_argument",
            message: expect.stringContaining(`nested deeper than ${defaultMaxJsonDepth} levels`),
          }),
        );
      });
    }

    it(`${name}: 1,000,000 levels are refused quickly, without a stack overflow`, () => {
      expect(() => parseJsonText(nested(1_000_000, inner), { nonFiniteTokens: tokens })).toThrow(
        /nested deeper/,
      );
    });
  }

  it("counts only brackets outside strings, escaped quotes included", () => {
    const text = `[${JSON.stringify(`\\"${"[".repeat(500)}\\\\`)}, {"a\\"[[[": "{{{"}]`;
    expect(parseJsonText(text)).toEqual(JSON.parse(text));
  });

  it("takes a lower or higher limit as an option", () => {
    expect(() => parseJsonText("[[1]]", { maxDepth: 1 })).toThrow(/nested deeper than 1 levels/);
    expect(parseJsonText(nested(150, "1"), { maxDepth: 200 })).toBeDefined();
  });

  it("text of any nesting is parsed exactly when it is within the limit and refused beyond it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 * defaultMaxJsonDepth }),
        fc.constantFrom(...inners),
        fc.constantFrom("array" as const, "object" as const),
        (depth, { inner, tokens }, kind) => {
          const parse = () => parseJsonText(nested(depth, inner, kind), { nonFiniteTokens: tokens });
          if (depth <= defaultMaxJsonDepth) {
            expect(parse).not.toThrow();
          } else {
            expect(parse).toThrow(/nested deeper/);
          }
        },
      ),
    );
  });

  it("stringifyJsonText then parseJsonText is the identity for values within the limit", () => {
    // Numbers stay within 2^53 (beyond it an integer reads back as a bigint, the point of the
    // parser); a bigint beside the value, when there is one, sends the text through the
    // package's own parser.
    const leaf = fc.oneof(
      fc.integer(),
      fc.double({ min: -1e15, max: 1e15, noNaN: true }),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
    );
    const { value } = fc.letrec<{ value: JsonValue }>((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(
        value,
        fc.integer({ min: 0, max: defaultMaxJsonDepth - 10 }),
        fc.option(fc.bigInt({ min: 2n ** 53n + 1n, max: 2n ** 64n }), { nil: undefined }),
        (v, wrap, big) => {
          let doc: JsonValue = big === undefined ? [v] : [v, big];
          for (let i = 0; i < wrap; i++) {
            doc = [doc];
          }
          expect(parseJsonText(stringifyJsonText(doc))).toEqual(doc);
        },
      ),
    );
  });
});
