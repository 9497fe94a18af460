import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { type RunningServer, startServer } from "@tensorwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientProtocol } from "./client-options.js";
import { createOipClient } from "./create-oip-client.js";
import { type InferInput, inferInput, inferInputRaw } from "./infer-input.js";
import { InferenceError } from "./inference-error.js";
import type { OipClient } from "./oip-client.js";
import { requestedOutput } from "./requested-output.js";
import { type ScriptedServer, sendJson, startScriptedServer } from "./testing/scripted-server.js";

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

const variants: [string, ClientProtocol, { binaryData?: boolean; http2?: boolean }][] = [
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
    client = createOipClient(server.url, { protocol, ...extra, retries: 0 });
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
    const routed = createOipClient(server.url, { protocol, ...extra, seldonRouting: true, retries: 0 });
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
    const repo = createOipClient(explicit.url, { protocol, ...extra, retries: 0 });
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

  it("should take booleans for BOOL, or a Uint8Array of 0s and 1s, but not numbers", () => {
    expect(valuesOf(inferInput("b", [2], "BOOL", [true, false]))).toEqual(Uint8Array.of(1, 0));
    const bits = Uint8Array.of(1, 0);
    expect(valuesOf(inferInput("b", [2], "BOOL", bits))).toEqual(bits);
    expect(() => inferInput("b", [2], "BOOL", Uint8Array.of(1, 2))).toThrow(
      /BOOL element 1 is 2, expected 0 or 1/,
    );
    // A count or a probability sent to a BOOL input is caught instead of truncated.
    expect(() => inferInput("b", [2], "BOOL", [1, 0])).toThrow(/data\[0\]: expected true or false, got 1/);
  });

  it("should keep 64-bit integers exact and refuse what does not fit", () => {
    const big = 2n ** 60n + 1n;
    expect(valuesOf(inferInput("i", [2], "INT64", [1, big]))).toEqual(BigInt64Array.of(1n, big));
    expect(() => inferInput("i", [1], "INT64", [2 ** 60])).toThrow(/INT64 range/);
    expect(() => inferInput("i", [1], "INT32", [big])).toThrow(/INT32 range/);
    expect(() => inferInput("i", [1], "UINT64", [-1n])).toThrow(/UINT64 range/);
    // A float takes any number, a bigint too, rounded as any number is.
    expect(valuesOf(inferInput("f", [1], "FP64", [big]))).toEqual(Float64Array.of(2 ** 60));
  });

  it("should take strings and byte strings for BYTES", () => {
    const bytes = [Uint8Array.of(0xff, 0), Uint8Array.of()];
    const input = inferInput("s", [2], "BYTES", bytes);
    expect((valuesOf(input) as Uint8Array[])[0]).toBe(bytes[0]);
    expect(valuesOf(inferInput("s", [1, 2], "BYTES", [["a", "βγ"]]))).toEqual([
      Uint8Array.of(0x61),
      Uint8Array.of(0xce, 0xb2, 0xce, 0xb3),
    ]);
    expect(() => inferInput("s", [1], "BYTES", ["\ud800"])).toThrow(/well-formed Unicode/);
    expect(() => inferInput("s", [1], "BYTES", [1])).toThrow(/data\[0\]/);
  });

  it("should convert another typed array to the datatype's, checking each value", () => {
    expect(valuesOf(inferInput("x", [2], "FP32", Float64Array.of(0.5, 2)))).toEqual(Float32Array.of(0.5, 2));
    expect(valuesOf(inferInput("x", [2], "FP16", [1, 0.5]))).toEqual(Uint16Array.of(0x3c00, 0x3800));
    expect(() => inferInput("x", [1], "UINT8", Int32Array.of(-1))).toThrow(/UINT8 range/);
  });
});

function valuesOf(input: InferInput): unknown {
  return input.data.kind === "values" ? input.data.values : input.data.bytes;
}

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
    const client = createOipClient(server.url);
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

describe("createOipClient() options", () => {
  it("should call through the caller's own Connect transport, interceptors included", async () => {
    const seen: string[] = [];
    const sessionManager = new Http2SessionManager(server.url);
    const transport = createGrpcTransport({
      baseUrl: server.url,
      sessionManager,
      interceptors: [
        (next) => async (req) => {
          seen.push(req.method.name);
          return next(req);
        },
      ],
    });
    const client = createOipClient(server.url, { transport });
    const result = await client.infer("identity_fp32", [inferInput("INPUT0", [1, 2], "FP32", [1, 2])]);
    await client.close();
    // The transport is the caller's: close() leaves it open for the caller's other clients.
    expect(sessionManager.state()).toBe("open");
    sessionManager.abort();
    expect(Array.from(result.asTypedArray("OUTPUT0", "FP32"))).toEqual([1, 2]);
    expect(seen).toEqual(["ModelInfer"]);
  });

  it("should refuse a transport with protocol rest, and an unknown protocol", () => {
    const transport = createGrpcTransport({ baseUrl: server.url });
    expect(() => createOipClient(server.url, { protocol: "rest", transport })).toThrow(
      /a Connect transport serves protocol "grpc", "connect" or "grpc-web", not "rest"/,
    );
    expect(() => createOipClient(server.url, { protocol: "http" as ClientProtocol })).toThrow(
      /protocol must be one of "rest", "grpc", "connect", "grpc-web", got "http"/,
    );
  });
});

// Answers other servers write (pydantic's nulls, fields of their own) from a scripted server.
describe("OIP REST client, liberal in what it accepts", () => {
  const answers: Record<string, unknown> = {
    "GET /v2": { name: "other", version: null, extensions: null, vendor: "x" },
    "GET /v2/models/m": {
      name: "m",
      versions: null,
      platform: null,
      inputs: [{ name: "a", datatype: "FP32", shape: [-1, 2], description: "extra" }],
      outputs: null,
    },
    "GET /v2/models/bf16": {
      name: "bf16",
      inputs: [{ name: "a", datatype: "BF16", shape: [1] }],
      outputs: [],
    },
    "POST /v2/models/m/infer": {
      model_name: "m",
      model_version: null,
      id: null,
      parameters: { sequence_id: null },
      outputs: [{ name: "y", datatype: "FP32", shape: [1], parameters: null, data: [1.5], extra: [] }],
      timing: { total_ms: 3 },
    },
    "POST /v2/repository/index": [{ name: "m", version: null, state: null, reason: null }],
    "GET /v2/models/stats": {
      model_stats: [
        {
          name: "m",
          version: null,
          last_inference: null,
          inference_count: 2,
          inference_stats: { success: { count: 2, ns: 10 }, fail: null },
        },
      ],
    },
  };
  let scripted: ScriptedServer;
  let client: OipClient;
  beforeAll(async () => {
    scripted = await startScriptedServer((req, res) => {
      const answer = answers[`${req.method} ${req.url}`];
      sendJson(res, answer === undefined ? 404 : 200, answer ?? { error: `no route ${req.url}` });
    });
    client = createOipClient(scripted.url, { retries: 0 });
  });
  afterAll(async () => {
    await client.close();
    await scripted.close();
  });

  it("should read null and absent metadata fields as empty, ignoring unknown ones", async () => {
    expect(await client.serverMetadata()).toEqual({ name: "other", version: "", extensions: [] });
    expect(await client.modelMetadata("m")).toEqual({
      name: "m",
      versions: [],
      platform: "",
      inputs: [{ name: "a", datatype: "FP32", shape: [-1, 2] }],
      outputs: [],
    });
  });

  it("should say which tensor has a datatype outside the OIP table", async () => {
    await expect(client.modelMetadata("bf16")).rejects.toThrow(
      `model 'bf16' declares input 'a' with datatype "BF16", which is not an OIP datatype`,
    );
  });

  it("should decode a response with nulls on optional fields and extra fields", async () => {
    const result = await client.infer("m", [inferInput("x", [1], "FP32", [1])]);
    expect(result.response).toEqual({
      modelName: "m",
      parameters: {},
      outputs: [{ name: "y", datatype: "FP32", shape: [1], data: Float32Array.of(1.5) }],
    });
  });

  it("should read nulls in the repository index and statistics as absent", async () => {
    expect(await client.repositoryIndex()).toEqual([
      { name: "m", version: undefined, state: "UNKNOWN", reason: undefined },
    ]);
    expect(await client.modelStatistics()).toEqual([
      {
        name: "m",
        version: "",
        lastInference: 0,
        inferenceCount: 2,
        executionCount: 0,
        inferenceStats: { success: { count: 2, ns: 10 } },
      },
    ]);
  });
});
