import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOipClient } from "./create-oip-client.js";
import { inferInput } from "./infer-input.js";
import { createKServeV1Client } from "./kserve-v1-client.js";
import type { OipClient, OipClientOptions } from "./oip-client.js";
import { requestedOutput } from "./requested-output.js";
import { hasPython3, type PeerServer, startPeerServer } from "./testing/peer-server.js";
import { freePort } from "./testing/scripted-server.js";

/**
 * Interoperability with KServe's Python ModelServer 0.21.0 (the `kserve` package from PyPI), the
 * second peer server, serving a tiny iris model (test/kserve/iris_model.py) over OIP REST (JSON and
 * binary data), OIP gRPC and KServe V1. Its REST answers carry `"model_version": null` and
 * `"parameters": null`, which the client reads as absent. test/kserve/setup.sh creates (or reuses)
 * the venv and starts the server; the first run installs kserve, which takes minutes.
 */

const setup = resolve(import.meta.dirname, "../test/kserve/setup.sh");

const python3 = hasPython3();
if (!python3) {
  console.warn("kserve.test.ts: skipped: python3 is not installed, so KServe cannot be set up");
}

let peer: PeerServer | undefined;
let httpUrl: string;
let grpcUrl: string;

async function startKserve(): Promise<void> {
  const [http, grpc] = [await freePort(), await freePort()];
  // KServe binds 0.0.0.0 and [::] (not configurable); the client reaches it on 127.0.0.1.
  httpUrl = `http://127.0.0.1:${http}`;
  grpcUrl = `http://127.0.0.1:${grpc}`;
  peer = await startPeerServer(setup, [String(http), String(grpc)], "kserve ready");
}

// Setosa, then virginica (the decision tree's petal length and width rules).
const flowers = [
  [5.1, 3.5, 1.4, 0.2],
  [6.7, 3.0, 5.2, 2.3],
];

describe.skipIf(!python3)("against KServe ModelServer 0.21.0", () => {
  // The first run installs kserve into the venv (minutes); later runs only start it (seconds).
  beforeAll(startKserve, 900_000);
  afterAll(() => peer?.stop(), 30_000);

  it("should run the pinned kserve", () => {
    expect(peer?.readyLine).toBe("0.21.0");
  });

  describe.each([
    ["REST JSON", { protocol: "rest" }],
    ["REST binary data", { protocol: "rest", binaryData: true }],
    ["gRPC, raw contents", { protocol: "grpc", rawContents: true }],
    ["gRPC, typed contents", { protocol: "grpc", rawContents: false }],
  ] as [string, Partial<OipClientOptions>][])("OIP over %s", (_, options) => {
    let client: OipClient;
    beforeAll(() => {
      client = createOipClient(options.protocol === "rest" ? httpUrl : grpcUrl, { ...options, retries: 0 });
    });
    afterAll(() => client.close());

    it("should see the server and the model as live and ready", async () => {
      expect(await client.isServerLive()).toBe(true);
      expect(await client.isServerReady()).toBe(true);
      expect(await client.isModelReady("iris")).toBe(true);
      expect(await client.isModelReady("nope")).toBe(false);
      expect(await client.serverMetadata()).toMatchObject({ name: "kserve", version: "0.21.0" });
    });

    it("should read model metadata whose versions are null as no versions", async () => {
      expect(await client.modelMetadata("iris")).toEqual({
        name: "iris",
        versions: [],
        platform: "",
        inputs: [{ name: "input-0", datatype: "FP64", shape: [-1, 4] }],
        outputs: [
          { name: "predict", datatype: "INT64", shape: [-1] },
          { name: "is_virginica", datatype: "BOOL", shape: [-1] },
        ],
      });
    });

    it("should classify two flowers, reading null model_version and parameters as absent", async () => {
      const result = await client.infer("iris", [inferInput("input-0", [2, 4], "FP64", flowers)], {
        id: "ks-1",
      });
      expect(result.modelName).toBe("iris");
      expect(result.modelVersion).toBeUndefined();
      expect(result.parameters).toBeUndefined();
      expect(result.id).toBe("ks-1");
      expect(Array.from(result.asTypedArray("predict", "INT64"))).toEqual([0n, 2n]);
      expect(Array.from(result.asTypedArray("is_virginica", "BOOL"))).toEqual([0, 1]);
      // KServe answers raw gRPC inputs with REST's binary_data_size among the outputs' parameters.
      const leaked = options.protocol === "grpc" && options.rawContents === true;
      expect(result.outputs.map((t) => t.parameters)).toEqual(
        leaked ? [{ binary_data_size: 16 }, { binary_data_size: 2 }] : [undefined, undefined],
      );
    });

    it("should take the id KServe makes up when the request has none", async () => {
      const result = await client.infer("iris", [inferInput("input-0", [1, 4], "FP64", [flowers[0] ?? []])]);
      expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Array.from(result.asTypedArray("predict", "INT64"))).toEqual([0n]);
    });

    it("should return the requested output only", async () => {
      const result = await client.infer("iris", [inferInput("input-0", [2, 4], "FP64", flowers)], {
        outputs: [requestedOutput("is_virginica")],
      });
      expect(result.outputs.map((o) => o.name)).toEqual(["is_virginica"]);
      expect(result.output("is_virginica")?.shape).toEqual([2]);
    });

    it("should surface KServe's errors: unknown model, wrong input", async () => {
      const unknown = await client
        .infer("nope", [inferInput("input-0", [1, 4], "FP64", [flowers[0] ?? []])])
        .catch((e: unknown) => e);
      expect(unknown).toMatchObject({ code: "not_found", serverMessage: expect.stringMatching(/nope/) });
      const wrong = await client
        .infer("iris", [inferInput("input-0", [1, 3], "FP64", [[1, 2, 3]])])
        .catch((e: unknown) => e);
      expect(wrong).toMatchObject({
        code: "invalid_argument",
        serverMessage: expect.stringMatching(/expected rows of 4 features/),
      });
    });
  });

  describe("KServe V1", () => {
    it("should answer liveness, readiness and the model list", async () => {
      const client = createKServeV1Client(httpUrl, { retries: 0 });
      expect(await client.isServerLive()).toBe(true);
      expect(await client.isModelReady("iris")).toBe(true);
      await expect(client.isModelReady("nope")).rejects.toMatchObject({ code: "not_found", status: 404 });
      expect(await client.listModels()).toEqual(["iris"]);
      await client.close();
    });

    it("should send instances to :predict and read the predictions", async () => {
      const client = createKServeV1Client(httpUrl, { retries: 0 });
      const input = inferInput("input-0", [2, 4], "FP64", flowers);
      const untyped = await client.infer("iris", [input]);
      expect(Array.from(untyped.asTypedArray("output-0", "FP64"))).toEqual([0, 2]);
      const typed = await client.infer("iris", [input], {
        outputMetadata: [{ name: "predict", datatype: "INT64", shape: [-1] }],
      });
      expect(Array.from(typed.asTypedArray("predict", "INT64"))).toEqual([0n, 2n]);
      expect(await client.inferJson("iris", { instances: flowers })).toEqual({ predictions: [0, 2] });
      await client.close();
    });
  });
});
