import { describe, expect, it } from "vitest";
import { mulberry32 } from "./mulberry32.js";

describe("mulberry32()", () => {
  it("should repeat its sequence for the same seed", () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    expect(Array.from({ length: 100 }, a)).toEqual(Array.from({ length: 100 }, b));
  });

  it("should differ between seeds", () => {
    expect(mulberry32(1)()).not.toBe(mulberry32(2)());
  });

  it("should stay in [0, 1)", () => {
    const next = mulberry32(0);
    for (let i = 0; i < 10_000; i++) {
      const x = next();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});
