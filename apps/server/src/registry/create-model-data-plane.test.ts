import { createTensor, type InferRequest, type Tensor, TensorwireError } from "@tensorwire/codec";
import { identityModel, irisModel, tfsimpleModel } from "@tensorwire/models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataPlane, InferContext } from "../core/data-plane.js";
import { createServerCore, type ServerCore } from "../server/create-server-core.js";

const context: InferContext = { requestId: "test", protocol: "rest" };

function int32(name: string, shape: number[], values: number[]): Tensor {
  return createTensor({ name, datatype: "INT32", shape, data: Int32Array.from(values) });
}

const ones = Array.from({ length: 16 }, (_, i) => i + 1);
const tfsimpleRequest: InferRequest = {
  id: "req-1",
  inputs: [
    int32("INPUT0", [1, 16], ones),
    int32(
      "INPUT1",
      [1, 16],
      ones.map(() => 1),
    ),
  ],
};

async function errorOf(promise: Promise<unknown> | (() => unknown)): Promise<TensorwireError> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (err) {
    expect(err).toBeInstanceOf(TensorwireError);
    return err as TensorwireError;
  }
  throw new Error("expected an error");
}

describe("createModelDataPlane()", () => {
  let core: ServerCore;
  let plane: DataPlane;
  beforeAll(async () => {
    core = await createServerCore({
      models: [
        { name: "tfsimple", onnx: tfsimpleModel().onnx },
        {
          name: "iris",
          onnx: irisModel().onnx,
          config: { inputs: [{ name: "input", aliases: ["predict"], acceptDatatypes: ["FP64"] }] },
        },
        { name: "identity_fp16", onnx: identityModel("FP16").onnx },
        { name: "identity_bytes", onnx: identityModel("BYTES").onnx },
        {
          name: "renamed",
          onnx: tfsimpleModel().onnx,
          config: { outputs: [{ name: "OUTPUT0", rename: "SUM" }] },
        },
      ],
    });
    plane = core.dataPlane;
  });
  afterAll(() => core.close());

  it("should report the server live, ready and its honest extensions", () => {
    expect(plane.serverLive()).toBe(true);
    expect(plane.serverReady()).toBe(true);
    const meta = plane.serverMetadata();
    expect(meta.name).toBe("tensorwire");
    expect(meta.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(meta.extensions).toEqual([
      "binary_tensor_data",
      "model_repository",
      "statistics",
      "model_configuration",
    ]);
  });

  it("should read model metadata from the ONNX model", () => {
    expect(plane.modelMetadata({ name: "tfsimple" })).toEqual({
      name: "tfsimple",
      versions: ["1"],
      platform: "onnxruntime_onnx",
      inputs: [
        { name: "INPUT0", datatype: "INT32", shape: [-1, 16] },
        { name: "INPUT1", datatype: "INT32", shape: [-1, 16] },
      ],
      outputs: [
        { name: "OUTPUT0", datatype: "INT32", shape: [-1, 16] },
        { name: "OUTPUT1", datatype: "INT32", shape: [-1, 16] },
      ],
    });
    expect(plane.modelMetadata({ name: "iris", version: "1" }).outputs).toEqual([
      { name: "predict", datatype: "INT64", shape: [-1] },
      { name: "predict_proba", datatype: "FP32", shape: [-1, 3] },
    ]);
    expect(plane.modelMetadata({ name: "identity_fp16" }).inputs).toEqual([
      { name: "INPUT0", datatype: "FP16", shape: [-1, -1] },
    ]);
  });

  it("should run a model and echo the request id and version", async () => {
    const response = await plane.infer({ name: "tfsimple" }, tfsimpleRequest, context);
    expect(response.modelName).toBe("tfsimple");
    expect(response.modelVersion).toBe("1");
    expect(response.id).toBe("req-1");
    expect(response.outputs.map((t) => t.name)).toEqual(["OUTPUT0", "OUTPUT1"]);
    expect(response.outputs[0]?.data).toEqual(Int32Array.from(ones, (v) => v + 1));
    expect(response.outputs[1]?.data).toEqual(Int32Array.from(ones, (v) => v - 1));
  });

  it("should return only the requested outputs, in the requested order", async () => {
    const response = await plane.infer(
      { name: "tfsimple" },
      { ...tfsimpleRequest, outputs: [{ name: "OUTPUT1" }] },
      context,
    );
    expect(response.outputs.map((t) => t.name)).toEqual(["OUTPUT1"]);
  });

  it("should expose renamed outputs under their new names", async () => {
    expect(plane.modelMetadata({ name: "renamed" }).outputs.map((o) => o.name)).toEqual(["SUM", "OUTPUT1"]);
    const response = await plane.infer(
      { name: "renamed" },
      { ...tfsimpleRequest, outputs: [{ name: "SUM" }] },
      context,
    );
    expect(response.outputs.map((t) => t.name)).toEqual(["SUM"]);
  });

  it("should round-trip FP16 bit patterns through ONNX Runtime", async () => {
    const half = createTensor({
      name: "INPUT0",
      datatype: "FP16",
      shape: [1, 2],
      data: Uint16Array.of(0x3c00, 0xc000),
    });
    const fp16 = await plane.infer({ name: "identity_fp16" }, { inputs: [half] }, context);
    expect(fp16.outputs[0]?.data).toEqual(Uint16Array.of(0x3c00, 0xc000));
  });

  it("should round-trip BYTES through ONNX Runtime", async () => {
    const text = new TextEncoder();
    const bytes = createTensor({
      name: "INPUT0",
      datatype: "BYTES",
      shape: [1, 2],
      data: [text.encode("héllo"), text.encode("")],
    });
    const out = await plane.infer({ name: "identity_bytes" }, { inputs: [bytes] }, context);
    expect(out.outputs[0]).toMatchObject({ name: "OUTPUT0", datatype: "BYTES", shape: [1, 2] });
  });

  const bad: [string, InferRequest, string][] = [
    [
      "an unknown input",
      { inputs: [...tfsimpleRequest.inputs, int32("INPUT9", [1, 16], ones)] },
      "unexpected inference input 'INPUT9' for model 'tfsimple'",
    ],
    [
      "a missing input",
      { inputs: [int32("INPUT0", [1, 16], ones)] },
      "expected 2 inputs but got 1 inputs for model 'tfsimple'. Got input(s) ['INPUT0'], but missing required input(s) ['INPUT1']. Please provide all required input(s).",
    ],
    [
      "a duplicate input",
      { inputs: [...tfsimpleRequest.inputs, int32("INPUT0", [1, 16], ones)] },
      "input 'INPUT0' appears more than once in the request for model 'tfsimple'",
    ],
    [
      "a datatype mismatch",
      {
        inputs: [
          createTensor({ name: "INPUT0", datatype: "FP32", shape: [1, 16], data: new Float32Array(16) }),
          int32("INPUT1", [1, 16], ones),
        ],
      },
      "inference input 'INPUT0' data-type is 'FP32', but model 'tfsimple' expects 'INT32'",
    ],
    [
      "a shape mismatch",
      { inputs: [int32("INPUT0", [2, 8], ones), int32("INPUT1", [1, 16], ones)] },
      "unexpected shape for input 'INPUT0' for model 'tfsimple'. Expected [-1,16], got [2,8]",
    ],
    [
      "an unknown requested output",
      { ...tfsimpleRequest, outputs: [{ name: "OUTPUT7" }] },
      "unexpected inference output 'OUTPUT7' for model 'tfsimple'",
    ],
  ];

  it.each(bad)("should reject %s as invalid_argument", async (_what, request, message) => {
    const err = await errorOf(plane.infer({ name: "tfsimple" }, request, context));
    expect(err.code).toBe("invalid_argument");
    expect(err.message).toBe(message);
  });

  it("should answer not_found for an unknown model, version or pipeline", async () => {
    const model = await errorOf(plane.infer({ name: "nope" }, tfsimpleRequest, context));
    expect([model.code, model.message]).toEqual([
      "not_found",
      "Request for unknown model: 'nope' is not found",
    ]);
    const version = await errorOf(plane.infer({ name: "tfsimple", version: "3" }, tfsimpleRequest, context));
    expect([version.code, version.message]).toEqual([
      "not_found",
      "Request for unknown model: 'tfsimple' version 3 is not found",
    ]);
    const pipeline = await errorOf(plane.infer({ kind: "pipeline", name: "flow" }, tfsimpleRequest, context));
    expect([pipeline.code, pipeline.message]).toEqual(["not_found", "pipeline 'flow' not found"]);
    const word = await errorOf(
      plane.infer({ name: "tfsimple", version: "latest" }, tfsimpleRequest, context),
    );
    expect([word.code, word.message]).toEqual([
      "invalid_argument",
      "failed to get model version from specified version string 'latest'",
    ]);
    expect((await errorOf(() => plane.modelMetadata({ name: "nope" }))).code).toBe("not_found");
    expect(plane.modelReady({ name: "nope" })).toBe(false);
    expect(plane.modelReady({ kind: "pipeline", name: "flow" })).toBe(false);
    expect(plane.describe({ kind: "pipeline", name: "flow" })).toBeUndefined();
    expect(plane.modelReady({ name: "tfsimple" })).toBe(true);
    expect(plane.modelReady({ name: "tfsimple", version: "2" })).toBe(false);
  });

  describe("iris, as Seldon's examples call it", () => {
    const features = [5.1, 3.5, 1.4, 0.2];
    const fp32 = (name: string) =>
      createTensor({ name, datatype: "FP32", shape: [1, 4], data: Float32Array.from(features) });
    it.each([
      ["curl: 'predict' FP32", fp32("predict")],
      ["grpcurl: 'input' FP32", fp32("input")],
      [
        "tritonclient: 'predict' FP64",
        createTensor({ name: "predict", datatype: "FP64", shape: [1, 4], data: Float64Array.from(features) }),
      ],
    ])("should accept %s and answer 'predict'", async (_what, input) => {
      const response = await plane.infer({ name: "iris" }, { inputs: [input] }, context);
      const predict = response.outputs.find((t) => t.name === "predict");
      expect(predict).toMatchObject({ datatype: "INT64", shape: [1] });
      // Setosa, the first class, for the first row of the iris data set.
      expect(predict?.data).toEqual(BigInt64Array.of(0n));
    });

    it("should refuse the same input under its name and an alias", async () => {
      const err = await errorOf(
        plane.infer({ name: "iris" }, { inputs: [fp32("input"), fp32("predict")] }, context),
      );
      expect(err.message).toBe(
        "input 'predict' (also sent as 'input') appears more than once in the request for model 'iris'",
      );
    });

    it("should refuse a datatype the config does not accept", async () => {
      const int = createTensor({
        name: "predict",
        datatype: "INT32",
        shape: [1, 4],
        data: Int32Array.of(5, 3, 1, 0),
      });
      const err = await errorOf(plane.infer({ name: "iris" }, { inputs: [int] }, context));
      expect(err.message).toBe(
        "inference input 'predict' data-type is 'INT32', but model 'iris' expects 'FP32'",
      );
    });
  });

  it("should count statistics as Triton does", async () => {
    const fresh = await createServerCore({ models: [{ name: "tfsimple", onnx: tfsimpleModel().onnx }] });
    try {
      const dp = fresh.dataPlane;
      const batch2 = [
        int32("INPUT0", [2, 16], [...ones, ...ones]),
        int32("INPUT1", [2, 16], [...ones, ...ones]),
      ];
      await dp.infer({ name: "tfsimple" }, tfsimpleRequest, context);
      await dp.infer({ name: "tfsimple" }, { inputs: batch2 }, context);
      await dp.infer({ name: "tfsimple" }, tfsimpleRequest, context);
      await errorOf(dp.infer({ name: "tfsimple" }, { inputs: [] }, context));
      const [stats] = dp.statistics({ name: "tfsimple" });
      expect(stats).toMatchObject({ name: "tfsimple", version: "1", inferenceCount: 4, executionCount: 3 });
      expect(stats?.inferenceStats.success.count).toBe(3);
      expect(stats?.inferenceStats.fail.count).toBe(1);
      expect(stats?.inferenceStats.computeInfer.ns).toBeGreaterThan(0);
      expect(stats?.lastInference).toBeGreaterThan(Date.now() - 60_000);
      expect(stats?.batchStats.map((b) => [b.batchSize, b.computeInfer.count])).toEqual([
        [1, 2],
        [2, 1],
      ]);
      expect(dp.statistics()).toHaveLength(1);
      expect((await errorOf(() => dp.statistics({ name: "nope" }))).code).toBe("not_found");
    } finally {
      await fresh.close();
    }
  });

  it("should describe a ready model's version and config extras, and nothing for an unknown one", () => {
    expect(plane.describe({ name: "iris" })).toEqual({
      kind: "model",
      name: "iris",
      version: "1",
      validations: [],
      maxBatchSize: 0,
      signatures: ["serving_default"],
      acceptDatatypes: { input: ["FP64"] },
    });
    expect(plane.describe({ name: "iris", version: "2" })).toBeUndefined();
    expect(plane.describe({ name: "nope" })).toBeUndefined();
  });

  it("should refuse the load/unload API outside explicit mode", async () => {
    const err = await errorOf(plane.repositoryLoad("tfsimple"));
    expect(err.code).toBe("unavailable");
    expect(err.message).toBe("explicit model load is not allowed in model control mode 'none'");
  });

  it("should refuse a batch over max_batch_size in Triton's words", async () => {
    const triton = await createServerCore({
      models: [{ name: "simple", onnx: tfsimpleModel().onnx, config: { maxBatchSize: 1 } }],
    });
    try {
      expect(triton.dataPlane.describe({ name: "simple" })).toMatchObject({ maxBatchSize: 1 });
      await triton.dataPlane.infer({ name: "simple" }, tfsimpleRequest, context);
      const two = { inputs: tfsimpleRequest.inputs.map((t) => int32(t.name, [2, 16], [...ones, ...ones])) };
      const err = await errorOf(triton.dataPlane.infer({ name: "simple" }, two, context));
      expect([err.code, err.message]).toEqual([
        "invalid_argument",
        "inference request batch-size must be <= 1 for 'simple'",
      ]);
    } finally {
      await triton.close();
    }
  });

  it("should apply a load's config override (max_batch_size) and refuse what it cannot apply", async () => {
    const explicit = await createServerCore({
      models: [{ name: "simple", onnx: tfsimpleModel().onnx, config: { maxBatchSize: 8 } }],
      controlMode: "explicit",
    });
    try {
      const dp = explicit.dataPlane;
      await dp.repositoryLoad("simple");
      expect(dp.describe({ name: "simple" })).toMatchObject({ maxBatchSize: 8 });
      await dp.repositoryLoad("simple", { config: '{"max_batch_size":"16"}' });
      expect(dp.describe({ name: "simple" })).toMatchObject({ maxBatchSize: 16 });
      for (const [config, message] of <[string, string][]>[
        ['"parameters": {"config": {{"max_batch_size": "16"}}}', "not a JSON model configuration"],
        ['{"max_batch_size": -1}', "max_batch_size: expected a non-negative integer"],
        ['{"backend": "python"}', "key 'backend' is not supported"],
        ['{"name": "other"}', "name 'other' is not the model's"],
      ]) {
        const err = await errorOf(dp.repositoryLoad("simple", { config }));
        expect(err.code).toBe("invalid_argument");
        expect(err.message).toContain("failed to load 'simple': parameter 'config': ");
        expect(err.message).toContain(message);
      }
      // A load without an override reads the model's own config again.
      await dp.repositoryLoad("simple");
      expect(dp.describe({ name: "simple" })).toMatchObject({ maxBatchSize: 8 });
    } finally {
      await explicit.close();
    }
  });

  it("should refuse to load a model with max_batch_size whose dimension 0 is not the batch", async () => {
    const fixed = await createServerCore({
      models: [
        {
          name: "fixed",
          config: {
            runtime: "echo",
            maxBatchSize: 2,
            inputs: [{ name: "x", datatype: "FP32", shape: [1, 4] }],
          },
        },
      ],
    });
    try {
      expect(fixed.dataPlane.repositoryIndex({ readyOnly: false })).toEqual([
        {
          name: "fixed",
          version: "1",
          state: "UNAVAILABLE",
          reason: "maxBatchSize 2 needs dimension 0 of every tensor to be -1, the batch; 'x' has shape [1,4]",
        },
      ]);
    } finally {
      await fixed.close();
    }
  });
});
