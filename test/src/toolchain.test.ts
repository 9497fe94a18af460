import { describe, expect, it } from "vitest";

describe("the pinned toolchain", () => {
  it("should run the tests on Node 22 or newer (the machine's own Node 20 is too old)", () => {
    const major = Number(process.versions.node.split(".")[0]);
    expect(major).toBeGreaterThanOrEqual(22);
  });
});
