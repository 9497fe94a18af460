import { type RunningServer, startServer } from "@tensorwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferInput } from "./infer-input.js";
import { InferenceError } from "./inference-error.js";
import { createKServeV1Client } from "./kserve-v1-client.js";
import { type ScriptedServer, sendJson, startScriptedServer } from "./testing/scripted-server.js";

const irisRows = [
  [6.8, 2.8, 4.8, 1.4],
  [5.1, 3.5, 1.4, 0.2],
];

let server: RunningServer;
// Only tfsimple loaded: iris exists but is not ready, the one way the server answers V1's 503.
let unloaded: RunningServer;
beforeAll(async () => {
  [server, unloaded] = await Promise.all([
    startServer({ port: 0, logLevel: "silent" }),
    startServer({ port: 0, logLevel: "silent", controlMode: "explicit", loadModels: ["tfsimple"] }),
  ]);
});
afterAll(async () => {
  await Promise.all([server.close(), unloaded.close()]);
});

describe("KServe V1 client (tensorwire server)", () => {
  it("should send instances to :predict and read a multi-output model's named predictions", async () => {
    const client = createKServeV1Client(server.url);
    const result = await client.infer("iris", [inferInput("input", [2, 4], "FP32", irisRows)], {
      outputMetadata: [
        { name: "predict", datatype: "INT64", shape: [-1] },
        { name: "predict_proba", datatype: "FP32", shape: [-1, 3] },
      ],
    });
    await client.close();
    expect(result.modelName).toBe("iris");
    expect(Array.from(result.asTypedArray("predict", "INT64"))).toEqual([1n, 0n]);
    const proba = result.asTypedArray("predict_proba", "FP32");
    expect(proba).toHaveLength(6);
    expect(proba[1]).toBeGreaterThan(0.9);
    expect(proba[3]).toBeGreaterThan(0.9);
  });

  it("should answer liveness, readiness and the model list the V1 way", async () => {
    const client = createKServeV1Client(server.url);
    expect(await client.isServerLive()).toBe(true);
    expect(await client.isModelReady("iris")).toBe(true);
    await expect(client.isModelReady("nope")).rejects.toMatchObject({ code: "not_found", status: 404 });
    expect(await client.listModels()).toEqual(expect.arrayContaining(["iris", "tfsimple", "identity_fp32"]));
    await client.close();
    const cold = createKServeV1Client(unloaded.url);
    expect(await cold.isModelReady("iris")).toBe(false);
    expect(await cold.isModelReady("tfsimple")).toBe(true);
    await cold.close();
  });

  it("should surface the server's 501 for explain as an InferenceError", async () => {
    const client = createKServeV1Client(server.url);
    const err = await client.explain("iris", { instances: [irisRows[0] ?? []] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InferenceError);
    expect(err).toMatchObject({
      code: "unimplemented",
      status: 501,
      serverMessage: expect.stringContaining("no explainer"),
    });
    await expect(client.explain("nope", { instances: [] })).rejects.toMatchObject({ status: 404 });
    await client.close();
  });

  it("should return the explanation of a model that declares an explainer", async () => {
    const client = createKServeV1Client(server.url);
    expect(await client.explain("constant", { instances: [[1, 2, 3]] })).toEqual({
      explanations: [{ feature: "INPUT0", weights: [0.1, 0.2, 0.7] }],
    });
    await client.close();
  });

  it("should post a V1 body as is, by model name and to a whole endpoint", async () => {
    const client = createKServeV1Client(server.url);
    const body = { instances: [[1, 2]] };
    expect(await client.inferJson("identity_fp32", body)).toEqual({ predictions: [[1, 2]] });
    await client.close();
    const graph = createKServeV1Client(`${server.url}/v1/models/identity_fp32:predict`);
    expect(await graph.inferJson(undefined, body, { isGraphEndpoint: true })).toEqual({
      predictions: [[1, 2]],
    });
    await graph.close();
  });
});

describe("KServe V1 client, graph endpoint (tensorwire server)", () => {
  it("should post any JSON body, an OIP one included, to the endpoint verbatim", async () => {
    const client = createKServeV1Client(`${server.url}/v2/models/identity_fp32/infer`);
    const body = { inputs: [{ name: "INPUT0", datatype: "FP32", shape: [1, 2], data: [1, 2] }] };
    const answer = (await client.inferJson(undefined, body, { isGraphEndpoint: true })) as {
      outputs: { data: number[] }[];
    };
    expect(answer.outputs[0]?.data).toEqual([1, 2]);
    await expect(client.inferJson(undefined, body)).rejects.toMatchObject({ code: "invalid_argument" });
    await client.close();
  });
});

// Stand-in: the tensorwire server serves no path prefix, so a base URL below an ingress path needs
// scripted answers.
describe("KServe V1 client (stand-in: base path)", () => {
  let scripted: ScriptedServer;
  beforeAll(async () => {
    scripted = await startScriptedServer((req, res) => {
      if (req.method === "POST" && req.url === "/serving/v1/models/m:explain") {
        sendJson(res, 200, { predictions: [1], explanations: [{ weights: [0.5, 0.5] }] });
      } else if (req.method === "POST" && req.url === "/serving/v1/models/m:predict") {
        const { instances } = JSON.parse(req.body.toString()) as { instances: number[][] };
        sendJson(res, 200, { predictions: instances.map((row) => row.reduce((a, b) => a + b, 0)) });
      } else {
        sendJson(res, 404, { error: `no route ${req.url}` });
      }
    });
  });
  afterAll(() => scripted.close());

  it("should keep the base path and return the explanation", async () => {
    const client = createKServeV1Client(`${scripted.url}/serving`);
    expect(await client.explain("m", { instances: [[1, 2]] })).toMatchObject({
      explanations: [{ weights: [0.5, 0.5] }],
    });
    const result = await client.infer("m", [inferInput("x", [1, 2], "FP64", [[1, 2]])]);
    expect(Array.from(result.asTypedArray("output-0", "FP64"))).toEqual([3]);
    expect(scripted.seen.map((r) => r.url)).toEqual([
      "/serving/v1/models/m:explain",
      "/serving/v1/models/m:predict",
    ]);
    await client.close();
  });
});
