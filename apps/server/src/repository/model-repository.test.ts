import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTensor, type InferRequest, type TensorwireError } from "@tensorwire/codec";
import { identityModel, tfsimpleModel } from "@tensorwire/models";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InferContext } from "../core/data-plane.js";
import { createServerCore, type ServerCore, type ServerCoreOptions } from "../server/create-server-core.js";

const context: InferContext = { requestId: "test", protocol: "grpc" };
const tfsimple = tfsimpleModel().onnx;
const identity = identityModel("FP32").onnx;
const addRequest: InferRequest = {
  inputs: ["INPUT0", "INPUT1"].map((name) =>
    createTensor({ name, datatype: "INT32", shape: [1, 16], data: new Int32Array(16).fill(2) }),
  ),
};
const identityRequest: InferRequest = {
  inputs: [createTensor({ name: "INPUT0", datatype: "FP32", shape: [1, 1], data: Float32Array.of(7) })],
};

async function put(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, content);
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error("condition not met in time");
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("createModelRepository()", () => {
  let root: string;
  let repo: string;
  let core: ServerCore | undefined;
  const start = async (options: Partial<ServerCoreOptions> = {}) => {
    core = await createServerCore({ repository: repo, ...options });
    return core.dataPlane;
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "tensorwire-repo-"));
    repo = join(root, "models");
    await put(join(repo, "add", "config.yaml"), "versionPolicy: all\n");
    await put(join(repo, "add", "1", "model.onnx"), tfsimple);
    await put(join(repo, "add", "2", "model.onnx"), tfsimple);
    await put(join(repo, "same", "1", "model.onnx"), identity);
    await put(join(repo, "same", "3", "model.onnx"), identity);
    await put(join(repo, "not a model!", "1", "model.onnx"), identity);
  });
  afterEach(async () => {
    await core?.close();
    core = undefined;
    await rm(root, { recursive: true, force: true });
  });

  it("should load every model at start in mode none, with their version policies", async () => {
    const plane = await start();
    expect(plane.serverReady()).toBe(true);
    expect(plane.repositoryIndex({ readyOnly: false })).toEqual([
      { name: "add", version: "1", state: "READY", reason: "" },
      { name: "add", version: "2", state: "READY", reason: "" },
      { name: "same", version: "3", state: "READY", reason: "" },
    ]);
    expect(plane.modelMetadata({ name: "add" }).versions).toEqual(["1", "2"]);
    const response = await plane.infer({ name: "add", version: "1" }, addRequest, context);
    expect(response.modelVersion).toBe("1");
    expect((await plane.infer({ name: "same" }, identityRequest, context)).modelVersion).toBe("3");
  });

  it("should load and unload models on request in mode explicit", async () => {
    const plane = await start({ controlMode: "explicit", loadModels: ["same"] });
    expect(plane.repositoryIndex({ readyOnly: false })).toContainEqual({
      name: "add",
      state: "UNKNOWN",
      reason: "not loaded",
    });
    await expect(plane.infer({ name: "add" }, addRequest, context)).rejects.toMatchObject({
      code: "not_found",
    });
    await plane.repositoryLoad("add");
    expect(plane.modelReady({ name: "add" })).toBe(true);
    await plane.repositoryUnload("add");
    expect(plane.modelReady({ name: "add" })).toBe(false);
    expect(plane.repositoryIndex({ readyOnly: false }).filter((e) => e.name === "add")).toEqual([
      { name: "add", version: "1", state: "UNAVAILABLE", reason: "unloaded" },
      { name: "add", version: "2", state: "UNAVAILABLE", reason: "unloaded" },
    ]);
    await expect(plane.infer({ name: "add" }, addRequest, context)).rejects.toMatchObject({
      code: "unavailable",
    });
    expect(plane.repositoryIndex({ readyOnly: true }).map((e) => e.name)).toEqual(["same"]);
    await expect(plane.repositoryLoad("missing")).rejects.toMatchObject({ code: "not_found" });
  });

  it("should keep serving other models while one loads", async () => {
    const plane = await start({ controlMode: "explicit", loadModels: ["same"] });
    const loading = plane.repositoryLoad("add");
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => plane.infer({ name: "same" }, identityRequest, context)),
    );
    await loading;
    expect(answers.every((a) => a.modelName === "same")).toBe(true);
  });

  it.each(["..", ".", "../models/add", "a/b", "%2e%2e", "", "x.pipeline"])(
    "should refuse the model name %j",
    async (name) => {
      const plane = await start({ controlMode: "explicit" });
      const err = (await plane.repositoryLoad(name).catch((e: unknown) => e)) as TensorwireError;
      expect(["invalid_argument", "not_found"]).toContain(err.code);
    },
  );

  it("should refuse a model file outside the repository unless allowed", async () => {
    await put(join(root, "outside.onnx"), identity);
    await put(join(repo, "external", "config.yaml"), "model: ../../outside.onnx\n");
    const plane = await start({ controlMode: "explicit" });
    const err = (await plane.repositoryLoad("external").catch((e: unknown) => e)) as TensorwireError;
    expect(err.code).toBe("permission_denied");
    expect(err.message).toContain("resolves outside the model repository");
    await core?.close();
    const allowed = await start({ controlMode: "explicit", allowExternalPaths: true });
    await allowed.repositoryLoad("external");
    expect((await allowed.infer({ name: "external" }, identityRequest, context)).modelVersion).toBe("1");
  });

  it("should report a broken model and stay unready", async () => {
    await put(join(repo, "broken", "1", "model.onnx"), "not an onnx model");
    await put(join(repo, "typo", "config.yaml"), "runtime: echo\naliasses: []\n");
    const plane = await start();
    expect(plane.serverReady()).toBe(false);
    const broken = plane.repositoryIndex({ readyOnly: false }).find((e) => e.name === "broken");
    expect(broken).toMatchObject({ version: "1", state: "UNAVAILABLE" });
    expect(broken?.reason).not.toBe("");
    expect(plane.repositoryIndex({ readyOnly: false }).find((e) => e.name === "typo")).toEqual({
      name: "typo",
      state: "UNAVAILABLE",
      reason:
        "model 'typo' config.yaml: aliasses: unknown key; expected one of name, runtime, versionPolicy, model, module, rename, inputs, outputs, latency, errors, batching, validations, explainer, maxBatchSize, grpcRawOutput, signatures",
    });
    expect(plane.modelReady({ name: "add" })).toBe(true);
  });

  it("should refuse a config file larger than maxConfigSize before reading it, naming the file and the limit", async () => {
    await put(join(repo, "huge", "config.yaml"), `runtime: echo\n${"# padding\n".repeat(200_000)}`);
    const plane = await start({ controlMode: "explicit", maxConfigSize: 64 * 1024 });
    await expect(plane.repositoryLoad("huge")).rejects.toMatchObject({
      code: "invalid_argument",
      message: expect.stringMatching(
        /model 'huge' config\.yaml: the file is 2000014 bytes, larger than the limit of 65536 bytes/,
      ),
    });
    await plane.repositoryLoad("add");
    expect(plane.modelReady({ name: "add" })).toBe(true);
  });

  it("should report an oversized config at start as the model's reason, serving the others", async () => {
    await put(
      join(repo, "huge", "config.json"),
      `{"runtime": "echo", "pad": "${"x".repeat(2 * 1024 * 1024)}"}`,
    );
    const plane = await start();
    expect(plane.serverReady()).toBe(false);
    expect(plane.repositoryIndex({ readyOnly: false }).find((e) => e.name === "huge")?.reason).toMatch(
      /config\.json: the file is \d+ bytes, larger than the limit of 1048576 bytes/,
    );
    expect(plane.modelReady({ name: "add" })).toBe(true);
  });

  it("should refuse a billion-laughs config (aliases of aliases) quickly", async () => {
    let yaml = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 10; i++) {
      const [prev, cur] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      yaml += `${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(",")}]\n`;
    }
    await put(join(repo, "laughs", "config.yaml"), yaml);
    const plane = await start({ controlMode: "explicit" });
    await expect(plane.repositoryLoad("laughs")).rejects.toMatchObject({
      code: "invalid_argument",
      message: expect.stringMatching(/model 'laughs' config\.yaml: Excessive alias count/),
    });
  });

  it("should load configs over 8 KiB, parsed one at a time on a worker, all at start", async () => {
    // Comments pad each config past the size parsed on the event loop.
    const padding = "# padding\n".repeat(2000);
    for (const name of ["padded1", "padded2", "padded3"]) {
      await put(join(repo, name, "config.yaml"), `versionPolicy: all\n${padding}`);
      await put(join(repo, name, "1", "model.onnx"), tfsimple);
      await put(join(repo, name, "2", "model.onnx"), tfsimple);
    }
    const plane = await start();
    for (const name of ["padded1", "padded2", "padded3"]) {
      expect(plane.modelMetadata({ name }).versions).toEqual(["1", "2"]);
    }
  });

  it("should parse a config off the event loop: timers keep firing while a slow one parses", async () => {
    // About 200 KiB of flow-mapping keys: the YAML parser's duplicate-key check is quadratic, so
    // this takes the parser seconds.
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join(", ");
    await put(join(repo, "slow", "config.yaml"), `{runtime: echo, ${keys}}`);
    const plane = await start({ controlMode: "explicit" });
    let ticks = 0;
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 10);
    const loaded = await plane.repositoryLoad("slow").catch((e: unknown) => e);
    clearInterval(timer);
    expect(loaded).toMatchObject({
      code: "invalid_argument",
      message: expect.stringContaining("model 'slow'"),
    });
    expect(ticks).toBeGreaterThan(10);
    expect(longestGap).toBeLessThan(1000);
  });

  it("should pick up added, changed and removed models in mode poll", async () => {
    const plane = await start({ controlMode: "poll", pollIntervalMs: 30 });
    await expect(plane.repositoryLoad("add")).rejects.toMatchObject({ code: "unavailable" });
    await put(
      join(repo, "echo", "config.yaml"),
      "runtime: echo\ninputs: [{name: X, datatype: FP32, shape: [-1]}]\n",
    );
    await until(() => plane.modelReady({ name: "echo" }));
    await put(join(repo, "same", "4", "model.onnx"), identity);
    await until(() => plane.modelMetadata({ name: "same" }).versions.includes("4"));
    expect(plane.modelReady({ name: "same", version: "3" })).toBe(false);
    await rm(join(repo, "add"), { recursive: true });
    await until(() => !plane.repositoryIndex({ readyOnly: false }).some((e) => e.name === "add"));
    await expect(plane.infer({ name: "add" }, addRequest, context)).rejects.toMatchObject({
      code: "not_found",
    });
  });
});

/**
 * What KServe's storage initializer leaves at /mnt/models: a storageUri naming one file is
 * downloaded as `<root>/<file name>`, one naming a folder as the folder's files.
 */
describe("createModelRepository() with KServe's layout", () => {
  let root: string;
  let core: ServerCore | undefined;
  const start = async (options: Partial<ServerCoreOptions> = {}) => {
    core = await createServerCore({ repository: root, ...options });
    return core.dataPlane;
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "tensorwire-kserve-"));
  });
  afterEach(async () => {
    await core?.close();
    core = undefined;
    await rm(root, { recursive: true, force: true });
  });

  it("should serve a bare model.onnx as version 1 of the model modelName names, tensors from the graph", async () => {
    await put(join(root, "model.onnx"), tfsimple);
    const plane = await start({ modelName: "tfsimple" });
    expect(plane.serverReady()).toBe(true);
    expect(plane.repositoryIndex({ readyOnly: false })).toEqual([
      { name: "tfsimple", version: "1", state: "READY", reason: "" },
    ]);
    const metadata = plane.modelMetadata({ name: "tfsimple" });
    expect(metadata.versions).toEqual(["1"]);
    expect(metadata.inputs.map((t) => [t.name, t.datatype, t.shape])).toEqual([
      ["INPUT0", "INT32", [-1, 16]],
      ["INPUT1", "INT32", [-1, 16]],
    ]);
    const response = await plane.infer({ name: "tfsimple" }, addRequest, context);
    expect(response.modelVersion).toBe("1");
    expect(Array.from(response.outputs.find((o) => o.name === "OUTPUT0")?.data as Int32Array)).toEqual(
      Array(16).fill(4),
    );
  });

  it("should apply a config.yaml beside the bare model.onnx", async () => {
    await put(join(root, "model.onnx"), tfsimple);
    await put(
      join(root, "config.yaml"),
      "name: sum\ninputs: [{name: INPUT0, aliases: [a]}]\noutputs: [{name: OUTPUT0, rename: total}]\n",
    );
    const plane = await start({ modelName: "sum" });
    const metadata = plane.modelMetadata({ name: "sum" });
    expect(metadata.outputs.map((t) => t.name)).toContain("total");
    const inputs = [{ ...addRequest.inputs[0], name: "a" }, addRequest.inputs[1]] as InferRequest["inputs"];
    const response = await plane.infer({ name: "sum" }, { inputs }, context);
    expect(response.outputs.map((o) => o.name)).toContain("total");
  });

  it("should serve a config file alone at the root (a mock runtime) under modelName", async () => {
    await put(
      join(root, "config.yaml"),
      "runtime: echo\ninputs: [{name: INPUT0, datatype: FP32, shape: [-1, 1]}]\n",
    );
    const plane = await start({ modelName: "echo-mock" });
    const response = await plane.infer({ name: "echo-mock" }, identityRequest, context);
    expect(response.modelVersion).toBe("1");
  });

  it("should serve a folder of *.onnx files as one model per file, named by the file's stem", async () => {
    await put(join(root, "first.onnx"), tfsimple);
    await put(join(root, "second.onnx"), identity);
    await put(join(root, "not a model!.onnx"), identity);
    await put(join(root, "notes.txt"), "not a model");
    await put(join(root, "triton", "1", "model.onnx"), identity);
    // KServe passes the InferenceService's name whatever the layout: with no model at the root it
    // names nothing.
    const plane = await start({ modelName: "unused" });
    expect(plane.repositoryIndex({ readyOnly: false })).toEqual([
      { name: "first", version: "1", state: "READY", reason: "" },
      { name: "second", version: "1", state: "READY", reason: "" },
      { name: "triton", version: "1", state: "READY", reason: "" },
    ]);
    expect((await plane.infer({ name: "first" }, addRequest, context)).modelName).toBe("first");
    expect((await plane.infer({ name: "second" }, identityRequest, context)).modelVersion).toBe("1");
  });

  it("should load *.onnx files on request in mode explicit and pick up new ones in mode poll", async () => {
    await put(join(root, "first.onnx"), tfsimple);
    const explicit = await start({ controlMode: "explicit" });
    expect(explicit.modelReady({ name: "first" })).toBe(false);
    await explicit.repositoryLoad("first");
    expect(explicit.modelReady({ name: "first" })).toBe(true);
    await expect(explicit.repositoryLoad("second")).rejects.toMatchObject({ code: "not_found" });
    await core?.close();
    const polled = await start({ controlMode: "poll", pollIntervalMs: 30 });
    await put(join(root, "second.onnx"), identity);
    await until(() => polled.modelReady({ name: "second" }));
    await rm(join(root, "first.onnx"));
    await until(() => !polled.repositoryIndex({ readyOnly: false }).some((e) => e.name === "first"));
  });

  it("should refuse to start when a model at the root has no name", async () => {
    await put(join(root, "model.onnx"), tfsimple);
    await put(join(root, "config.yaml"), "versionPolicy: all\n");
    await expect(start()).rejects.toThrow(
      /holds model\.onnx and config\.yaml at its root, a model that needs a name: give it with --model-name \(TENSORWIRE_MODEL_NAME/,
    );
  });

  it.each(["a/b", "..", "x.pipeline", ""])("should refuse the model name %j", async (name) => {
    await put(join(root, "model.onnx"), tfsimple);
    await expect(start({ modelName: name })).rejects.toMatchObject({
      code: "invalid_argument",
      message: expect.stringContaining(`modelName: invalid model name '${name}'`),
    });
  });

  it("should refuse two models of one name", async () => {
    await put(join(root, "model.onnx"), tfsimple);
    await put(join(root, "add.onnx"), tfsimple);
    await expect(start({ modelName: "add" })).rejects.toThrow(
      "the model repository has two models named 'add': add.onnx and the model at the root (--model-name)",
    );
    await rm(join(root, "model.onnx"));
    await put(join(root, "add", "1", "model.onnx"), tfsimple);
    await expect(start()).rejects.toThrow("two models named 'add': add/ and add.onnx");
  });

  it("should refuse a config whose name is not modelName", async () => {
    await put(join(root, "model.onnx"), tfsimple);
    await put(join(root, "config.yaml"), "name: other\n");
    const plane = await start({ modelName: "tfsimple" });
    expect(plane.repositoryIndex({ readyOnly: false })).toEqual([
      {
        name: "tfsimple",
        state: "UNAVAILABLE",
        reason: "model 'tfsimple' config.yaml: name 'other' differs from the model's name 'tfsimple'",
      },
    ]);
  });

  it("should refuse a *.onnx symlink that leaves the repository unless allowed", async () => {
    const outside = await mkdtemp(join(tmpdir(), "tensorwire-outside-"));
    try {
      await put(join(outside, "elsewhere.onnx"), identity);
      await symlink(join(outside, "elsewhere.onnx"), join(root, "linked.onnx"));
      const plane = await start();
      expect(plane.repositoryIndex({ readyOnly: false })[0]).toMatchObject({
        name: "linked",
        state: "UNAVAILABLE",
        reason: expect.stringContaining("resolves outside the model repository"),
      });
      await core?.close();
      const allowed = await start({ allowExternalPaths: true });
      expect(allowed.modelReady({ name: "linked" })).toBe(true);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
