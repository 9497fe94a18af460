import { describe, expect, it } from "vitest";
import { defaultPipelines } from "./default-pipelines.js";
import { parsePipelines } from "./load-pipelines.js";
import { parsePipelineSpec, parseTensorRef } from "./pipeline-spec.js";

function pipeline(spec: unknown): unknown {
  return { apiVersion: "mlops.seldon.io/v1alpha1", kind: "Pipeline", metadata: { name: "p" }, spec };
}

describe("parseTensorRef()", () => {
  it.each([
    ["m", { node: "m", side: "outputs", tensor: undefined }],
    ["m.outputs", { node: "m", side: "outputs", tensor: undefined }],
    ["m.inputs.INPUT0", { node: "m", side: "inputs", tensor: "INPUT0" }],
    ["m.outputs.a.b", { node: "m", side: "outputs", tensor: "a.b" }],
  ])("should parse %s", (text, expected) => {
    expect(parseTensorRef(text, "here")).toEqual({ ...expected, text });
  });

  it.each(["", "m.middle.x", "m.outputs."])("should reject '%s'", (text) => {
    expect(() => parseTensorRef(text, "here")).toThrow(/here/);
  });
});

describe("parsePipelineSpec()", () => {
  it("should fill in Seldon's defaults", () => {
    const spec = parsePipelineSpec(pipeline({ steps: [{ name: "a" }, { name: "b", inputs: ["a"] }] }));
    expect(spec.output).toBeUndefined();
    expect(spec.steps[0]).toEqual({
      name: "a",
      model: "a",
      inputs: [{ node: "p", side: "inputs", tensor: undefined, text: "p" }],
      tensorMap: {},
      inputsJoinType: "inner",
      triggers: [],
      triggersJoinType: "inner",
      joinWindowMs: 0,
    });
    expect(spec.steps[1]?.inputs).toEqual([{ node: "a", side: "outputs", tensor: undefined, text: "a" }]);
  });

  it.each([
    [{ steps: [] }, /spec.steps: expected a non-empty list/],
    [{ steps: [{ name: "a", inputs: ["nope.outputs"] }] }, /'nope.outputs' names no step/],
    [{ steps: [{ name: "a", inputsJoinType: "left" }] }, /expected inner, outer or any, got "left"/],
    [
      {
        steps: [
          { name: "a", inputs: ["b"] },
          { name: "b", inputs: ["a"] },
        ],
      },
      /cycle \(a → b → a\)/,
    ],
    [{ steps: [{ name: "a" }, { name: "a" }] }, /'a' is used twice/],
    [{ steps: [{ name: "a", batch: { size: 2 } }] }, /batch is not supported/],
    [{ steps: [{ name: "a" }], allowCycles: true }, /allowCycles is not supported/],
    [{ steps: [{ name: "a", joinWindowMs: -1 }] }, /joinWindowMs: expected a non-negative integer/],
    [{ steps: [{ name: "a" }], output: { steps: ["p.outputs"] } }, /'p.inputs'/],
  ])("should reject %j", (spec, message) => {
    expect(() => parsePipelineSpec(pipeline(spec))).toThrow(message);
  });

  it("should reject another kind or apiVersion", () => {
    expect(() => parsePipelineSpec({ kind: "Model", metadata: { name: "x" }, spec: {} })).toThrow(/kind/);
    expect(() => parsePipelineSpec({ apiVersion: "v2", kind: "Pipeline" })).toThrow(/apiVersion/);
  });
});

describe("parsePipelines()", () => {
  it("should skip the other resources of a Seldon example file", () => {
    const text = `apiVersion: mlops.seldon.io/v1alpha1
kind: Model
metadata:
  name: tfsimple1
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Pipeline
metadata:
  name: one
spec:
  steps:
    - name: tfsimple1
`;
    expect(parsePipelines(text).map((p) => p.name)).toEqual(["one"]);
  });
});

describe("defaultPipelines()", () => {
  it("should be Seldon's tfsimples YAML, with the zoo's one tfsimple on each step", () => {
    // The example as Seldon documents it, plus `model: tfsimple` on each step.
    const yaml = `apiVersion: mlops.seldon.io/v1alpha1
kind: Pipeline
metadata:
  name: tfsimples
spec:
  steps:
    - name: tfsimple1
      model: tfsimple
    - name: tfsimple2
      model: tfsimple
      inputs:
        - tfsimple1.outputs.OUTPUT0
        - tfsimple1.outputs.OUTPUT1
      tensorMap:
        tfsimple1.outputs.OUTPUT0: INPUT0
        tfsimple1.outputs.OUTPUT1: INPUT1
  output:
    steps:
      - tfsimple2
`;
    expect(defaultPipelines()).toEqual(parsePipelines(yaml));
  });

  it("should map tfsimple1's outputs onto tfsimple2's inputs", () => {
    const [tfsimples] = defaultPipelines();
    expect(tfsimples?.name).toBe("tfsimples");
    expect(tfsimples?.steps.map((s) => [s.name, s.model])).toEqual([
      ["tfsimple1", "tfsimple"],
      ["tfsimple2", "tfsimple"],
    ]);
    expect(tfsimples?.steps[1]?.tensorMap).toEqual({
      "tfsimple1.outputs.OUTPUT0": "INPUT0",
      "tfsimple1.outputs.OUTPUT1": "INPUT1",
    });
  });
});
