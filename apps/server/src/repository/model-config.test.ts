import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { parseModelConfig } from "./model-config.js";

const echo = { runtime: "echo", inputs: [{ name: "x", datatype: "FP32", shape: [-1, 4] }] };
const parse = (explainer: unknown) => parseModelConfig({ ...echo, explainer }, "model 'm' config");

describe("parseModelConfig() explainer", () => {
  it("should have no explainer unless one is declared", () => {
    expect(parseModelConfig(echo, "m").explainer).toBeUndefined();
  });

  it("should read a constant explainer from YAML, kind defaulting to constant", () => {
    const config = parseModelConfig(
      parseYaml(
        [
          "runtime: echo",
          "inputs: [{name: x, datatype: FP32, shape: [-1, 4]}]",
          "explainer:",
          "  response: {explanations: [{feature: petal_length, weight: 0.8}], meta: {name: AnchorTabular}}",
        ].join("\n"),
      ),
      "model 'm' config.yaml",
    );
    expect(config.explainer).toEqual({
      kind: "constant",
      response: { explanations: [{ feature: "petal_length", weight: 0.8 }], meta: { name: "AnchorTabular" } },
    });
  });

  it.each([
    [{ kind: "constant", response: [1, "a", null, { b: [true] }] }],
    [{ response: "any JSON" }],
    [{ response: 0 }],
  ])("should take the constant explainer %j", (explainer) => {
    expect(parse(explainer).explainer).toEqual({ kind: "constant", response: explainer.response });
  });

  it("should take INT64 beyond 2^53 as a bigint in a declaration's response", () => {
    const response = { big: 9007199254740993n };
    expect(parse({ response }).explainer).toEqual({ kind: "constant", response });
  });

  it("should take a predictions explainer", () => {
    expect(parse({ kind: "predictions" }).explainer).toEqual({ kind: "predictions" });
  });

  it("should give any runtime an explainer", () => {
    const config = parseModelConfig({ explainer: { kind: "predictions" } }, "m");
    expect(config).toMatchObject({ runtime: "onnx", explainer: { kind: "predictions" } });
  });

  it.each([
    ["a list", [], "explainer: expected a mapping, got []"],
    ["a string", "predictions", 'explainer: expected a mapping, got "predictions"'],
    [
      "an unknown key",
      { kind: "predictions", method: "shap" },
      "explainer.method: unknown key; expected one of kind, response",
    ],
    [
      "an unknown kind",
      { kind: "shap" },
      'explainer.kind: expected one of constant, predictions, got "shap"',
    ],
    ["no response", {}, "explainer.response: a constant explainer needs its response (any JSON but null)"],
    ["a null response", { response: null }, "explainer.response: a constant explainer needs its response"],
    [
      "a predictions explainer with a response",
      { kind: "predictions", response: {} },
      "explainer.response: a predictions explainer answers the model's predictions, not a response",
    ],
    [
      "a non-finite number",
      { response: { w: [1, Number.NaN] } },
      "explainer.response.w[1]: expected a finite number",
    ],
    ["a date", { response: { at: new Date(0) } }, "explainer.response.at: expected JSON"],
    [
      "an undefined member",
      { response: { a: undefined } },
      "explainer.response.a: expected JSON, got nothing",
    ],
    ["a function", { response: [() => 1] }, "explainer.response[0]: expected JSON"],
  ])("should refuse %s", (_, explainer, message) => {
    expect(() => parse(explainer)).toThrow(`model 'm' config: ${message}`);
  });
});

describe("parseModelConfig() Triton's and TF-Serving's keys", () => {
  it("should default to no batch dimension, the server's gRPC contents and serving_default", () => {
    const config = parseModelConfig(echo, "m");
    expect([config.maxBatchSize, config.grpcRawOutput, config.signatures]).toEqual([
      0,
      undefined,
      ["serving_default"],
    ]);
  });

  it("should read maxBatchSize, grpcRawOutput and signatures, and take batching's size as max_batch_size", () => {
    const config = parseModelConfig(
      { ...echo, maxBatchSize: 8, grpcRawOutput: true, signatures: ["serving_default", "predict_images"] },
      "m",
    );
    expect([config.maxBatchSize, config.grpcRawOutput, config.signatures]).toEqual([
      8,
      true,
      ["serving_default", "predict_images"],
    ]);
    expect(parseModelConfig({ ...echo, batching: { maxBatchSize: 4 } }, "m").maxBatchSize).toBe(4);
  });

  it.each([
    [{ maxBatchSize: -1 }, "m: maxBatchSize: expected a non-negative integer, got -1"],
    [{ maxBatchSize: 1.5 }, "m: maxBatchSize: expected a non-negative integer, got 1.5"],
    [{ grpcRawOutput: "yes" }, 'm: grpcRawOutput: expected true or false, got "yes"'],
    [{ signatures: [] }, "m: signatures: expected at least one signature name"],
    [{ signatures: ["a", "a"] }, "m: signatures: name 'a' is used twice"],
    [{ signatures: [""] }, 'm: signatures[0]: expected a signature name, got ""'],
  ])("should refuse %j", (keys, message) => {
    expect(() => parseModelConfig({ ...echo, ...keys }, "m")).toThrow(message);
  });
});
