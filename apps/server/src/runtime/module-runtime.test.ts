import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTensor, type InferRequest, type Tensor, TensorwireError } from "@tensorwire/codec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InferContext } from "../core/data-plane.js";
import type { ModelRuntime, ModelRuntimeContext, RuntimeInferOptions } from "../core/model-runtime.js";
import type { ModelDeclaration } from "../repository/memory-source.js";
import { createServerCore, type ServerCore } from "../server/create-server-core.js";
import { defineModel } from "./define-model.js";

const context: InferContext = { requestId: "test", protocol: "rest" };
const fp32 = (name: string, values: number[], shape = [1, values.length]): Tensor =>
  createTensor({ name, datatype: "FP32", shape, data: Float32Array.from(values) });

/** A hand-written runtime: records what the server calls, answers what `answer` returns. */
class RecordingRuntime implements ModelRuntime {
  readonly calls: string[] = [];
  readonly seen: (readonly string[])[] = [];
  constructor(
    readonly context: ModelRuntimeContext,
    readonly answer: (inputs: readonly Tensor[], options: RuntimeInferOptions) => unknown = (inputs) => [
      { ...(inputs[0] as Tensor), name: "sum" },
      { ...(inputs[0] as Tensor), name: "extra" },
    ],
  ) {}
  async load() {
    this.calls.push("load");
  }
  metadata() {
    return {
      platform: "test",
      inputs: [
        { name: "a", datatype: "FP32", shape: [-1, 2] },
        { name: "b", datatype: "FP32", shape: [-1, 2] },
      ],
      outputs: [
        { name: "sum", datatype: "FP32", shape: [-1, 2] },
        { name: "extra", datatype: "FP32", shape: [-1, 2] },
      ],
    } as const;
  }
  async infer(inputs: readonly Tensor[], options: RuntimeInferOptions) {
    this.seen.push(inputs.map((t) => t.name));
    return this.answer(inputs, options) as readonly Tensor[];
  }
  async unload() {
    this.calls.push("unload");
  }
}

const twoInputs: InferRequest = { inputs: [fp32("b", [3, 4]), fp32("a", [1, 2])] };

describe("a runtime registered by a factory", () => {
  it("should be built with its context, see inputs in metadata order and return only requested outputs", async () => {
    let runtime: RecordingRuntime | undefined;
    const core = await createServerCore({
      models: [
        {
          name: "recorded",
          runtime: (ctx) => {
            runtime = new RecordingRuntime(ctx);
            return runtime;
          },
        },
      ],
    });
    const response = await core.dataPlane.infer(
      { name: "recorded" },
      { ...twoInputs, outputs: [{ name: "sum" }] },
      context,
    );
    expect(response.outputs.map((t) => t.name)).toEqual(["sum"]);
    expect(runtime?.context).toEqual({ name: "recorded", version: "1", directory: undefined });
    expect(runtime?.seen).toEqual([["a", "b"]]);
    expect(core.dataPlane.modelMetadata({ name: "recorded" }).platform).toBe("test");
    await core.close();
    expect(runtime?.calls).toEqual(["load", "unload"]);
  });

  it.each([
    ["not an array", () => ({ sum: 1 }), "infer must return an array of tensors"],
    [
      "an undeclared output",
      () => [fp32("other", [1, 2])],
      "output 'other', which its metadata does not declare",
    ],
    [
      "another datatype",
      () => [createTensor({ name: "sum", datatype: "INT32", shape: [1, 2], data: Int32Array.of(1, 2) })],
      "output 'sum' is INT32, its metadata declares FP32",
    ],
    [
      "another shape",
      () => [fp32("sum", [1, 2, 3])],
      "output 'sum' has shape [1,3], its metadata declares [-1,2]",
    ],
    [
      "data that does not fit the shape",
      () => [{ name: "sum", datatype: "FP32", shape: [2, 2], data: Float32Array.of(1) }],
      "expected 4 elements",
    ],
    ["an output twice", () => [fp32("sum", [1, 2]), fp32("sum", [1, 2])], "output 'sum' twice"],
  ])("should fail a run that returns %s as an internal error", async (_, answer, message) => {
    const core = await createServerCore({
      models: [{ name: "broken", runtime: (ctx) => new RecordingRuntime(ctx, answer) }],
    });
    const failure = core.dataPlane.infer({ name: "broken" }, twoInputs, context);
    await expect(failure).rejects.toMatchObject({ code: "internal" });
    await expect(failure).rejects.toThrow(message);
    await core.close();
  });

  it("should pass a TensorwireError of the model's to the client", async () => {
    const core = await createServerCore({
      models: [
        {
          name: "picky",
          runtime: (ctx) =>
            new RecordingRuntime(ctx, () => {
              throw new TensorwireError("invalid_argument", "a must be positive");
            }),
        },
      ],
    });
    await expect(core.dataPlane.infer({ name: "picky" }, twoInputs, context)).rejects.toEqual(
      new TensorwireError("invalid_argument", "a must be positive"),
    );
    await core.close();
  });

  it.each([
    ["junk instead of a runtime", () => 42, "the factory returned 42, not a ModelRuntime"],
    [
      "metadata with an unknown datatype",
      () => ({
        load: async () => {},
        metadata: () => ({
          platform: "x",
          inputs: [{ name: "a", datatype: "FP33", shape: [1] }],
          outputs: [],
        }),
        infer: async () => [],
        unload: async () => {},
      }),
      "metadata: inputs[0].datatype: expected one of",
    ],
  ])("should leave a model whose factory gives %s unavailable, saying why", async (_, factory, reason) => {
    const core = await createServerCore({ models: [{ name: "bad", runtime: factory as never }] });
    expect(core.dataPlane.serverReady()).toBe(false);
    const [entry] = core.dataPlane.repositoryIndex({ readyOnly: false });
    expect(entry).toMatchObject({ name: "bad", state: "UNAVAILABLE" });
    expect(entry?.reason).toContain(reason);
    await core.close();
  });

  it("should refuse a declaration that also names a runtime in its config", async () => {
    const model: ModelDeclaration = {
      name: "twice",
      runtime: (ctx) => new RecordingRuntime(ctx),
      config: { runtime: "echo" },
    };
    await expect(createServerCore({ models: [model] })).rejects.toMatchObject({ code: "invalid_argument" });
  });
});

describe("defineModel()", () => {
  const sum = defineModel({
    inputs: [
      { name: "a", datatype: "FP32", shape: [-1, 2] },
      { name: "b", datatype: "FP32", shape: [-1, 2] },
    ],
    outputs: [{ name: "sum", datatype: "FP32", shape: [-1, 2] }],
    infer: ({ a, b }) => {
      runs += 1;
      return { sum: { shape: a.shape, data: a.data.map((v, i) => v + (b.data[i] as number)) } };
    },
  });
  let runs = 0;

  it("should apply the config's renames and batching like any model's", async () => {
    const core = await createServerCore({
      models: [
        {
          name: "sum",
          runtime: sum,
          config: {
            outputs: [{ name: "sum", rename: "total" }],
            batching: { maxBatchSize: 8, maxQueueDelayMs: 50 },
          },
        },
      ],
    });
    runs = 0;
    const [first, second] = await Promise.all([
      core.dataPlane.infer({ name: "sum" }, twoInputs, context),
      core.dataPlane.infer(
        { name: "sum" },
        { inputs: [fp32("a", [10, 20]), fp32("b", [1, 1])] },
        { ...context, requestId: "second" },
      ),
    ]);
    expect(first.outputs).toEqual([fp32("total", [4, 6])]);
    expect(second.outputs).toEqual([fp32("total", [11, 21])]);
    // One run for both: the batching modifier wraps a defined model as it wraps an ONNX one.
    expect(runs).toBe(1);
    await core.close();
  });

  it("should fail an infer that returns no object as an internal error", async () => {
    const core = await createServerCore({
      models: [
        {
          name: "nothing",
          runtime: defineModel({
            inputs: [{ name: "a", datatype: "FP32", shape: [-1, 2] }],
            outputs: [{ name: "sum", datatype: "FP32", shape: [-1, 2] }],
            infer: () => null as never,
          }),
        },
      ],
    });
    await expect(
      core.dataPlane.infer({ name: "nothing" }, { inputs: [fp32("a", [1, 2])] }, context),
    ).rejects.toMatchObject({
      code: "internal",
      message: expect.stringContaining("infer must return an object"),
    });
    await core.close();
  });
});

describe("runtime: module in a model repository", () => {
  let dir: string;
  let core: ServerCore;
  const model = (name: string, files: Record<string, string>) =>
    Promise.all(
      Object.entries(files).map(async ([file, text]) => {
        await mkdir(join(dir, "repo", name, file, ".."), { recursive: true });
        await writeFile(join(dir, "repo", name, file), text);
      }),
    );
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tensorwire-module-"));
    // Plain JavaScript: a module outside any package cannot import @tensorwire/server.
    const versioned = `export default ({ version, directory }) => ({
      load: async () => {},
      metadata: () => ({
        platform: "versioned",
        inputs: [{ name: "x", datatype: "FP32", shape: [-1] }],
        outputs: [{ name: "where", datatype: "BYTES", shape: [1] }],
      }),
      infer: async () => [
        { name: "where", datatype: "BYTES", shape: [1], data: [new TextEncoder().encode(version + " " + directory)] },
      ],
      unload: async () => {},
    });\n`;
    await model("versioned", {
      "config.yaml": "runtime: module\nmodule: versioned.mjs\nversionPolicy: all\n",
      "versioned.mjs": versioned,
      "1/.keep": "",
      "2/.keep": "",
    });
    await model("nodefault", {
      "config.yaml": "runtime: module\nmodule: nodefault.mjs\n",
      "nodefault.mjs": "export const infer = () => [];\n",
    });
    await model("nomodule", { "config.yaml": "runtime: module\n" });
    await model("missing", { "config.yaml": "runtime: module\nmodule: missing.mjs\n" });
    core = await createServerCore({ repository: join(dir, "repo"), moduleRoots: [join(dir, "repo")] });
  });
  afterAll(async () => {
    await core?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("should build one runtime per version, told its version and directory", async () => {
    for (const version of ["1", "2"]) {
      const response = await core.dataPlane.infer(
        { name: "versioned", version },
        { inputs: [fp32("x", [1], [1])] },
        context,
      );
      const [where] = response.outputs;
      expect(where?.datatype === "BYTES" && new TextDecoder().decode(where.data[0])).toBe(
        `${version} ${join(dir, "repo", "versioned")}`,
      );
    }
  });

  it.each([
    ["nodefault", "has no default export that is a ModelRuntimeFactory"],
    ["nomodule", "a module model needs the path of its module (module:)"],
    ["missing", "cannot read module"],
  ])("should leave '%s' unavailable, saying why", (name, reason) => {
    const entry = core.dataPlane.repositoryIndex({ readyOnly: false }).find((e) => e.name === name);
    expect(entry?.state).toBe("UNAVAILABLE");
    expect(entry?.reason).toContain(reason);
  });

  it("should import a changed module anew when the model reloads", async () => {
    const answer = (word: string) => `export default () => ({
      load: async () => {},
      metadata: () => ({
        platform: "changing",
        inputs: [],
        outputs: [{ name: "word", datatype: "BYTES", shape: [1] }],
      }),
      infer: async () => [{ name: "word", datatype: "BYTES", shape: [1], data: [new TextEncoder().encode("${word}")] }],
      unload: async () => {},
    });\n`;
    const repo = join(dir, "changing-repo");
    await mkdir(join(repo, "changing"), { recursive: true });
    await writeFile(join(repo, "changing", "config.yaml"), "runtime: module\nmodule: model.mjs\n");
    await writeFile(join(repo, "changing", "model.mjs"), answer("before"));
    const explicit = await createServerCore({
      repository: repo,
      moduleRoots: [repo],
      controlMode: "explicit",
      loadModels: ["changing"],
    });
    const word = async () => {
      const [output] = (await explicit.dataPlane.infer({ name: "changing" }, { inputs: [] }, context))
        .outputs;
      return output?.datatype === "BYTES" ? new TextDecoder().decode(output.data[0]) : undefined;
    };
    try {
      expect(await word()).toBe("before");
      // A different length as well as a later write: the revision changes even on coarse clocks.
      await writeFile(join(repo, "changing", "model.mjs"), answer("afterwards"));
      await explicit.dataPlane.repositoryLoad("changing");
      expect(await word()).toBe("afterwards");
    } finally {
      await explicit.close();
    }
  });
});
