import { describe, expect, it } from "vitest";
import { isEchoedHeader, parseSeldonModel, requestIdFrom, targetModel } from "./seldon-headers.js";

describe("parseSeldonModel()", () => {
  it.each([
    ["iris", { kind: "model", name: "iris" }],
    ["iris.model", { kind: "model", name: "iris" }],
    ["tfsimples.pipeline", { kind: "pipeline", name: "tfsimples" }],
  ])("should read %s", (value, expected) => {
    expect(parseSeldonModel(value)).toEqual({ ok: true, value: expected });
  });

  it.each(["", "a.b.c", "iris.other", ".model", "iris."])("should refuse '%s'", (value) => {
    const result = parseSeldonModel(value);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/Bad or missing header seldon-model/);
  });
});

describe("targetModel()", () => {
  it("should prefer the header's model", () => {
    expect(targetModel("path", "header")).toBe("header");
    expect(targetModel("path", undefined)).toBe("path");
    expect(targetModel("path", null)).toBe("path");
  });

  it("should throw invalid_argument for a bad header", () => {
    expect(() => targetModel("m", "a.b.c")).toThrow(expect.objectContaining({ code: "invalid_argument" }));
  });

  it("should keep a pipeline's suffix and drop a model's", () => {
    expect(targetModel("m", "p.pipeline")).toBe("p.pipeline");
    expect(targetModel("m", "iris.model")).toBe("iris");
  });
});

describe("requestIdFrom()", () => {
  it("should keep the caller's id and make XIDs otherwise", () => {
    expect(requestIdFrom("mine")).toBe("mine");
    const a = requestIdFrom(undefined);
    const b = requestIdFrom("");
    expect(a).toMatch(/^[0-9a-v]{20}$/);
    expect(b).toMatch(/^[0-9a-v]{20}$/);
    expect(a).not.toBe(b);
  });
});

describe("isEchoedHeader()", () => {
  it.each([
    ["x-foo", true],
    ["X-Foo", true],
    ["x-", false],
    ["xfoo", false],
    ["content-type", false],
    ["seldon-model", false],
  ])("%s → %s", (name, expected) => {
    expect(isEchoedHeader(name)).toBe(expected);
  });
});
