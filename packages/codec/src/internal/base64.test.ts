import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base64Decode, base64Encode } from "./base64.js";

const where = { tensor: "t", field: "b64" };

describe("base64Encode() / base64Decode()", () => {
  it("should round-trip any bytes, writing what Node's Buffer writes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = base64Encode(bytes);
        expect(text).toBe(Buffer.from(bytes).toString("base64"));
        expect(base64Decode(text, where)).toEqual(bytes);
      }),
    );
  });

  it("should encode more bytes than one String.fromCharCode call takes", () => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) % 256);
    expect(base64Decode(base64Encode(bytes), where)).toEqual(bytes);
  });

  it("should read unpadded text and refuse what is not standard base64", () => {
    expect(base64Decode("/w", where)).toEqual(Uint8Array.of(255));
    for (const text of ["/w=", "a b=", "_-8=", "abcde", 42]) {
      expect(() => base64Decode(text, where)).toThrow("tensor 't': b64: expected base64");
    }
  });
});
