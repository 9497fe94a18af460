import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBytesElements, encodeBytesElements } from "./bytes-tensor.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const fromHex = (text: string) => new Uint8Array(Buffer.from(text.replaceAll(" ", ""), "hex"));

describe("decodeBytesElements() / encodeBytesElements()", () => {
  it("should round-trip any elements", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 20 })), (elements) => {
        const decoded = decodeBytesElements(encodeBytesElements(elements, "x"), "x");
        expect(decoded.map(hex)).toEqual(elements.map(hex));
      }),
    );
  });

  it("should refuse a truncated length prefix", () => {
    expect(() => decodeBytesElements(fromHex("01000000 61 0200"), "s")).toThrow(
      "tensor 's': incomplete length prefix of BYTES element 1 at byte 5: expected 4 bytes, got 2",
    );
  });

  it("should refuse a length prefix that overruns the data", () => {
    expect(() => decodeBytesElements(fromHex("05000000 6162"), "s")).toThrow(
      "tensor 's': BYTES element 0 declares 5 bytes at byte 0, but only 2 remain",
    );
  });

  it("should return views into the input, not copies", () => {
    const body = fromHex("02000000 6162");
    expect((decodeBytesElements(body, "s")[0] as Uint8Array).buffer).toBe(body.buffer);
  });
});
