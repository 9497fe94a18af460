import { describe, expect, it } from "vitest";
import { namedTarget, parseSeldonModel, requestIdFrom, resolveTarget } from "./seldon-headers.js";

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

describe("namedTarget()", () => {
  it("should read a model, with its version when one is given", () => {
    expect(namedTarget("iris")).toEqual({ name: "iris" });
    expect(namedTarget("iris", "")).toEqual({ name: "iris" });
    expect(namedTarget("iris", "2")).toEqual({ name: "iris", version: "2" });
  });

  it("should read a name ending .pipeline as the pipeline", () => {
    expect(namedTarget("tfsimples.pipeline", "3")).toEqual({ kind: "pipeline", name: "tfsimples" });
  });
});

describe("resolveTarget()", () => {
  it("should prefer the header's model, keeping the named version", () => {
    expect(resolveTarget({ name: "path", version: "2" }, "header")).toEqual({ name: "header", version: "2" });
    expect(resolveTarget({ name: "path" }, undefined)).toEqual({ name: "path" });
    expect(resolveTarget({ name: "path" }, null)).toEqual({ name: "path" });
  });

  it("should throw invalid_argument for a bad header", () => {
    expect(() => resolveTarget({ name: "m" }, "a.b.c")).toThrow(
      expect.objectContaining({ code: "invalid_argument" }),
    );
  });

  it("should read a pipeline and drop a model's suffix", () => {
    expect(resolveTarget({ name: "m", version: "1" }, "p.pipeline")).toEqual({ kind: "pipeline", name: "p" });
    expect(resolveTarget({ name: "m" }, "iris.model")).toEqual({ name: "iris" });
    expect(resolveTarget({ kind: "pipeline", name: "p" }, "iris")).toEqual({ name: "iris" });
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
