import { type RunningServer, startServer } from "@tensorwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferInput } from "./infer-input.js";
import { createKServeClient } from "./kserve-client.js";
import { type ScriptedServer, sendJson, startScriptedServer } from "./testing/scripted-server.js";

const ones = Array.from({ length: 16 }, (_, i) => i + 1);
const tfsimpleInputs = [
  inferInput("INPUT0", [1, 16], "INT32", ones),
  inferInput("INPUT1", [1, 16], "INT32", ones),
];

describe("KServe client, protocol v2 (tensorwire server)", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, host: "127.0.0.1" });
  });
  afterAll(() => server.close());

  it("should infer, check health and refuse explain", async () => {
    const client = createKServeClient(server.url, { protocol: "v2" });
    const result = await client.infer("tfsimple", tfsimpleInputs);
    expect(Array.from(result.asTypedArray("OUTPUT0", "INT32"))).toEqual(ones.map((v) => 2 * v));
    expect(await client.isServerReady()).toBe(true);
    expect(await client.isServerLive()).toBe(true);
    expect(await client.isModelReady("tfsimple")).toBe(true);
    expect(await client.isModelReady("nope")).toBe(false);
    await expect(client.explain("tfsimple", {})).rejects.toMatchObject({ code: "unimplemented" });
    await client.close();
  });

  it("should post a JSON body to a graph endpoint verbatim", async () => {
    const client = createKServeClient(`${server.url}/v2/models/identity_fp32/infer`, { protocol: "v2" });
    const body = { inputs: [{ name: "INPUT0", datatype: "FP32", shape: [1, 2], data: [1, 2] }] };
    const answer = (await client.inferJson(undefined, body, { isGraphEndpoint: true })) as {
      outputs: { data: number[] }[];
    };
    expect(answer.outputs[0]?.data).toEqual([1, 2]);
    await expect(client.inferJson(undefined, body)).rejects.toMatchObject({ code: "invalid_argument" });
    await client.close();
  });
});

describe("KServe client, protocol v1 (scripted server: tensorwire does not serve V1 yet)", () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer((req, res) => {
      const path = req.url;
      if (req.method === "POST" && path === "/serving/v1/models/m:predict") {
        const { instances } = JSON.parse(req.body.toString()) as { instances: number[][] };
        sendJson(res, 200, { predictions: instances.map((row) => row.reduce((a, b) => a + b, 0)) });
      } else if (req.method === "POST" && path === "/serving/v1/models/m:explain") {
        sendJson(res, 200, { predictions: [1], explanations: [{ weights: [0.5, 0.5] }] });
      } else if (path === "/serving/v1/models/m") {
        sendJson(res, 200, { name: "m", ready: true });
      } else if (path === "/serving/v1/models/cold") {
        sendJson(res, 503, { error: "Model with name cold is not ready." });
      } else if (path === "/serving/v1/models") {
        sendJson(res, 200, { models: ["m", "cold"] });
      } else if (path === "/serving/") {
        sendJson(res, 200, { status: "alive" });
      } else {
        sendJson(res, 404, { error: `Model with name ${path} does not exist.` });
      }
    });
  });
  afterAll(() => server.close());

  it("should send instances to :predict under the base path and read predictions", async () => {
    const client = createKServeClient(`${server.url}/serving`);
    const result = await client.infer(
      "m",
      [
        inferInput("x", [2, 3], "FP64", [
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ],
      {
        outputMetadata: [{ name: "sum", datatype: "FP64", shape: [-1] }],
      },
    );
    expect(server.seen.at(-1)?.body.toString()).toBe('{"instances":[[1,2,3],[4,5,6]]}');
    expect(Array.from(result.asTypedArray("sum", "FP64"))).toEqual([6, 15]);
    await client.close();
  });

  it("should explain, list models and answer liveness and readiness the V1 way", async () => {
    const client = createKServeClient(`${server.url}/serving`);
    expect(await client.explain("m", { instances: [[1, 2]] })).toMatchObject({
      explanations: [{ weights: [0.5, 0.5] }],
    });
    expect(await client.listModels()).toEqual(["m", "cold"]);
    expect(await client.isServerLive()).toBe(true);
    expect(await client.isModelReady("m")).toBe(true);
    expect(await client.isModelReady("cold")).toBe(false);
    await expect(client.isModelReady("gone")).rejects.toMatchObject({ code: "not_found", status: 404 });
    await expect(client.isServerReady()).rejects.toMatchObject({ code: "unimplemented" });
    await client.close();
  });
});
