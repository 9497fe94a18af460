import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
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
