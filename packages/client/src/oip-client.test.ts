import { type RunningServer, startServer } from "@tensorwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInferenceClient, type OipProtocol } from "./create-inference-client.js";
import { inferInput, inferInputRaw } from "./infer-input.js";
import { InferenceError } from "./inference-error.js";
import type { OipClient } from "./oip-client.js";
import { requestedOutput } from "./requested-output.js";
import { sendJson, startScriptedServer } from "./testing/scripted-server.js";

let server: RunningServer;
let explicit: RunningServer;

beforeAll(async () => {
  [server, explicit] = await Promise.all([
    startServer({ port: 0, host: "127.0.0.1" }),
    startServer({ port: 0, host: "127.0.0.1", controlMode: "explicit", loadModels: ["tfsimple"] }),
  ]);
});

afterAll(async () => {
  await Promise.all([server?.close(), explicit?.close()]);
});

const variants: [string, OipProtocol, { binaryData?: boolean; http2?: boolean }][] = [
  ["REST JSON", "rest", {}],
  ["REST binary", "rest", { binaryData: true }],
  ["REST binary over h2c", "rest", { binaryData: true, http2: true }],
  ["gRPC (h2c)", "grpc", {}],
  ["Connect", "connect", {}],
  ["Connect over HTTP/2", "connect", { http2: true }],
  ["gRPC-Web", "grpc-web", {}],
];

const ones = Int32Array.from({ length: 16 }, (_, i) => i + 1);
const twos = Int32Array.from({ length: 16 }, () => 2);

describe.each(variants)("OIP client, %s", (_, protocol, extra) => {
  let client: OipClient;
  beforeAll(() => {
    client = createInferenceClient(server.url, { protocol, ...extra, retries: 0 });
  });
  afterAll(() => client.close());

  it("should report health and metadata", async () => {
    expect(await client.isServerLive()).toBe(true);
    expect(await client.isServerReady()).toBe(true);
    expect(await client.isModelReady("tfsimple")).toBe(true);
    expect(await client.isModelReady("nope")).toBe(false);
    const meta = await client.serverMetadata();
    expect(meta.name).not.toBe("");
    const model = await client.modelMetadata("tfsimple");
    expect(model.inputs.map((i) => i.name)).toEqual(["INPUT0", "INPUT1"]);
    expect(model.inputs[0]?.shape).toEqual([-1, 16]);
  });

  it("should infer tfsimple with typed arrays", async () => {
    const result = await client.infer("tfsimple", [
      inferInput("INPUT0", [1, 16], "INT32", ones),
      inferInput("INPUT1", [1, 16], "INT32", twos),
    ]);
    expect(result.modelName).toBe("tfsimple");
    expect(Array.from(result.asTypedArray("OUTPUT0", "INT32"))).toEqual(Array.from(ones, (v) => v + 2));
    expect(Array.from(result.asTypedArray("OUTPUT1", "INT32"))).toEqual(Array.from(ones, (v) => v - 2));
    expect(result.output("OUTPUT0")?.shape).toEqual([1, 16]);
  });

  it("should infer iris from nested arrays, with requested outputs, id and parameters", async () => {
    const result = await client.infer(
      "iris",
      [
        inferInput("input", [2, 4], "FP32", [
          [5.1, 3.5, 1.4, 0.2],
          [6.7, 3.0, 5.2, 2.3],
        ]),
      ],
      { id: "req-1", outputs: [requestedOutput("predict")], parameters: { note: "x" } },
    );
    expect(result.id).toBe("req-1");
    expect(result.outputs.map((o) => o.name)).toEqual(["predict"]);
    expect(result.asTypedArray("predict", "INT64")).toHaveLength(2);
  });

  it("should round-trip BYTES, BOOL, INT64 and FP16 through identity models", async () => {
    for (const [datatype, values] of [
      ["BYTES", ["a", "βγ", ""]],
      ["BOOL", [true, false, true]],
      ["INT64", [1n, -(2n ** 62n), 3n]],
      ["FP16", [1, 0.5, -2]],
    ] as const) {
      const result = await client.infer(`identity_${datatype.toLowerCase()}`, [
        inferInput("INPUT0", [1, 3], datatype, values),
      ]);
      const sent = inferInput("INPUT0", [1, 3], datatype, values);
      expect(result.output("OUTPUT0")?.datatype).toBe(datatype);
      expect(result.asTypedArray("OUTPUT0")).toEqual(
        sent.data.kind === "values" ? sent.data.values : undefined,
      );
    }
  });

  it("should send raw bytes as given", async () => {
    const bytes = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
    const result = await client.infer("identity_fp32", [inferInputRaw("INPUT0", [1, 4], "FP32", bytes)]);
    expect(Array.from(result.asTypedArray("OUTPUT0", "FP32"))).toEqual([1, 2, 3, 4]);
  });

  it("should carry seldon-model routing and x- headers both ways", async () => {
    const routed = createInferenceClient(server.url, { protocol, ...extra, seldonRouting: true, retries: 0 });
    try {
      const result = await routed.infer(
        "tfsimple",
        [inferInput("INPUT0", [1, 16], "INT32", ones), inferInput("INPUT1", [1, 16], "INT32", twos)],
        { headers: { "x-foo": "bar", "x-request-id": "rid-42" } },
      );
      expect(result.requestId).toBe("rid-42");
      expect(result.xHeaders()["x-foo"]).toBe("bar");
      const pipeline = await routed.infer("tfsimples.pipeline", [
        inferInput("INPUT0", [1, 16], "INT32", ones),
        inferInput("INPUT1", [1, 16], "INT32", twos),
      ]);
      // tfsimple1 gives (a+2, a-2); tfsimple2 adds and subtracts those: (2a, 4).
      expect(Array.from(pipeline.asTypedArray("OUTPUT0", "INT32"))).toEqual(Array.from(ones, (a) => 2 * a));
      expect(Array.from(pipeline.asTypedArray("OUTPUT1", "INT32"))).toEqual(new Array(16).fill(4));
      const missing = routed.infer("nope.pipeline", [inferInput("INPUT0", [1, 16], "INT32", ones)]);
      await expect(missing).rejects.toMatchObject({
        code: "not_found",
        serverMessage: expect.stringMatching(/pipeline 'nope'/),
      });
    } finally {
      await routed.close();
    }
  });

  it("should generate an x-request-id and expose it on the result", async () => {
    const result = await client.infer("tfsimple", [
      inferInput("INPUT0", [1, 16], "INT32", ones),
      inferInput("INPUT1", [1, 16], "INT32", twos),
    ]);
    expect(result.requestId).toMatch(/^[0-9a-v]{20}$/);
  });

  it("should answer an unknown model with not_found and the server's message", async () => {
    const err = await client.infer("nope", [inferInput("INPUT0", [1], "FP32", [1])]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InferenceError);
    expect(err).toMatchObject({ code: "not_found", serverMessage: expect.stringMatching(/nope/) });
    expect((err as InferenceError).status).toBe(protocol === "rest" ? 404 : 5);
  });

  it("should answer a wrong shape with invalid_argument", async () => {
    const err = await client
      .infer("tfsimple", [
        inferInput("INPUT0", [1, 8], "INT32", new Int32Array(8)),
        inferInput("INPUT1", [1, 8], "INT32", new Int32Array(8)),
      ])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "invalid_argument" });
    expect((err as InferenceError).serverMessage).toMatch(/INPUT0/);
  });

  it("should report statistics", async () => {
    const stats = await client.modelStatistics("tfsimple");
    expect(stats[0]?.name).toBe("tfsimple");
    expect(stats[0]?.inferenceCount).toBeGreaterThan(0);
    expect(stats[0]?.inferenceStats.success?.count).toBeGreaterThan(0);
  });

  it("should index, load and unload through the repository API", async () => {
    const repo = createInferenceClient(explicit.url, { protocol, ...extra, retries: 0 });
    try {
      const index = await repo.repositoryIndex();
      expect(index.map((e) => e.name)).toContain("iris");
      expect((await repo.repositoryIndex({ ready: true })).map((e) => e.name)).toEqual(["tfsimple"]);
      await repo.loadModel("iris");
      expect(await repo.isModelReady("iris")).toBe(true);
      await repo.unloadModel("iris");
      expect(await repo.isModelReady("iris")).toBe(false);
      await expect(repo.loadModel("nope")).rejects.toMatchObject({ code: "not_found" });
    } finally {
      await repo.close();
    }
  });
});

describe("inferInput()", () => {
  it("should check the element count against the shape before sending", () => {
    expect(() => inferInput("x", [2, 2], "FP32", [1, 2, 3])).toThrow(
      /expected 4 elements for shape \[2,2\], got 3/,
    );
  });

  it("should refuse ragged nesting and values outside the datatype", () => {
    expect(() => inferInput("x", [2, 2], "FP32", [[1, 2], [3]])).toThrow(
      /expected data\[1\] to have 2 elements/,
    );
    expect(() => inferInput("x", [1], "UINT8", [300])).toThrow(/UINT8 range/);
    expect(() => inferInput("x", [1], "INT32", ["a"])).toThrow(/an integer/);
    expect(() => inferInput("x", [-1, 4], "FP32", [])).toThrow(/-1 belongs in metadata/);
  });

  it("should use the datatype's own typed array without a copy and freeze the value", () => {
    const data = new Float32Array(4);
    const input = inferInput("x", [4], "FP32", data);
    expect(input.data).toEqual({ kind: "values", values: data });
    expect(input.data.kind === "values" && input.data.values).toBe(data);
    expect(Object.isFrozen(input)).toBe(true);
  });

  it("should check raw bytes against shape and datatype", () => {
    expect(() => inferInputRaw("x", [2], "FP32", new Uint8Array(4))).toThrow(/expected 8 bytes/);
  });
});

describe("requestedOutput()", () => {
  // The tensorwire server does not implement Triton's classification extension (it does not list
  // it), so the wire form is checked against a scripted server.
  it("should put binary_data and classification on the requested output", async () => {
    const server = await startScriptedServer((_req, res) => {
      sendJson(res, 200, {
        model_name: "m",
        outputs: [{ name: "y", datatype: "BYTES", shape: [1, 2], data: ["3.3:1", "2.4:3"] }],
      });
    });
    const client = createInferenceClient(server.url);
    const result = await client.infer("m", [inferInput("x", [1, 4], "FP32", [1.1, 3.3, 0.5, 2.4])], {
      outputs: [requestedOutput("y", { classification: 2, binary: false })],
    });
    await client.close();
    await server.close();
    expect(JSON.parse(server.seen[0]?.body.toString() ?? "").outputs).toEqual([
      { name: "y", parameters: { binary_data: false, classification: 2 } },
    ]);
    expect(result.asStrings("y")).toEqual(["3.3:1", "2.4:3"]);
    expect(requestedOutput("y")).toEqual({ name: "y" });
  });
});
