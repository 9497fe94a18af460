import { create, fromJson } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { createTensor } from "@tensorwire/codec";
import { decodeGrpcInferResponse, encodeGrpcInferRequest } from "@tensorwire/codec/grpc";
import { DataType, GRPCInferenceService, ModelInferRequestSchema } from "@tensorwire/proto/oip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../server/start-server.js";
import { seldonModelStreamInfer } from "./inference-service.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const xid = /^[0-9a-v]{20}$/;
const sixteen = Array.from({ length: 16 }, (_, i) => i + 1);

/** Every protocol and HTTP version the one port serves. */
const transports: [string, () => Transport][] = [
  ["gRPC (h2c)", () => createGrpcTransport({ baseUrl: server.url })],
  ["Connect (HTTP/1.1)", () => createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" })],
  ["Connect (h2c)", () => createConnectTransport({ baseUrl: server.url, httpVersion: "2" })],
  ["gRPC-Web (HTTP/1.1)", () => createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1" })],
  ["gRPC-Web (h2c)", () => createGrpcWebTransport({ baseUrl: server.url, httpVersion: "2" })],
];

/** The grpcurl request of Seldon's inference docs (https://docs.seldon.ai/seldon-core-2/user-guide/inference/inference), as grpcurl parses its -d JSON. */
const irisJson = {
  model_name: "iris",
  inputs: [{ name: "input", contents: { fp32_contents: [1, 2, 3, 4] }, datatype: "FP32", shape: [1, 4] }],
};

function tfsimpleRequest(id = "") {
  return encodeGrpcInferRequest({
    modelName: "tfsimple",
    id,
    inputs: ["INPUT0", "INPUT1"].map((name) =>
      createTensor({ name, datatype: "INT32", shape: [1, 16], data: Int32Array.from(sixteen) }),
    ),
  });
}

async function code(call: Promise<unknown>): Promise<[Code, string]> {
  try {
    await call;
  } catch (err) {
    const ce = ConnectError.from(err);
    return [ce.code, ce.rawMessage];
  }
  throw new Error("expected the call to fail");
}

describe.each(transports)("GRPCInferenceService over %s", (_, makeTransport) => {
  let client: Client<typeof GRPCInferenceService>;
  beforeAll(() => {
    client = createClient(GRPCInferenceService, makeTransport());
  });

  it("should answer health and metadata", async () => {
    expect((await client.serverLive({})).live).toBe(true);
    expect((await client.serverReady({})).ready).toBe(true);
    expect((await client.serverMetadata({})).extensions).toContain("model_repository");
    expect((await client.modelReady({ name: "iris" })).ready).toBe(true);
    expect((await client.modelReady({ name: "nope" })).ready).toBe(false);
    const metadata = await client.modelMetadata({ name: "iris", version: "1" });
    expect(metadata.inputs[0]).toMatchObject({ name: "input", datatype: "FP32", shape: [-1n, 4n] });
  });

  it("should answer Triton's ModelConfig from the model's metadata and config", async () => {
    const { config } = await client.modelConfig({ name: "simple" });
    expect(config).toMatchObject({ name: "simple", platform: "onnxruntime_onnx", backend: "onnxruntime" });
    expect(config?.maxBatchSize).toBe(8);
    expect(config?.input.map((t) => [t.name, DataType[t.dataType], t.dims])).toEqual([
      ["INPUT0", "TYPE_INT32", [16n]],
      ["INPUT1", "TYPE_INT32", [16n]],
    ]);
    const iris = await client.modelConfig({ name: "iris", version: "1" });
    expect(iris.config?.maxBatchSize).toBe(0);
    expect(iris.config?.input[0]?.dims).toEqual([-1n, 4n]);
    expect(await code(client.modelConfig({ name: "nope" }))).toEqual([
      Code.NotFound,
      "Request for unknown model: 'nope' is not found",
    ]);
  });

  it("should answer raw contents to a typed request for a model whose config asks for them", async () => {
    const typed = (modelName: string) =>
      fromJson(ModelInferRequestSchema, {
        model_name: modelName,
        inputs: ["INPUT0", "INPUT1"].map((name) => ({
          name,
          datatype: "INT32",
          shape: [1, 16],
          contents: { int_contents: sixteen },
        })),
      });
    const simple = await client.modelInfer(typed("simple"));
    expect(simple.rawOutputContents).toHaveLength(2);
    expect(simple.outputs.every((o) => o.contents === undefined)).toBe(true);
    expect(decodeGrpcInferResponse(simple).outputs[0]?.data).toEqual(Int32Array.from(sixteen, (v) => v * 2));
    const tfsimple = await client.modelInfer(typed("tfsimple"));
    expect(tfsimple.rawOutputContents).toHaveLength(0);
  });

  it("should run Seldon's documented grpcurl request with seldon-model: iris (typed in, typed out)", async () => {
    const headers: Headers[] = [];
    const res = await client.modelInfer(fromJson(ModelInferRequestSchema, irisJson), {
      headers: { "seldon-model": "iris" },
      onHeader: (h) => headers.push(h),
    });
    expect(res.modelName).toBe("iris");
    expect(res.rawOutputContents).toHaveLength(0);
    expect(res.outputs.map((o) => o.name)).toEqual(["predict", "predict_proba"]);
    expect(res.outputs[0]?.contents?.int64Contents).toEqual([2n]);
    expect(res.outputs[1]?.contents?.fp32Contents).toHaveLength(3);
    expect(headers[0]?.get("x-request-id")).toMatch(xid);
  });

  it("should answer raw contents with raw contents", async () => {
    const res = await client.modelInfer(tfsimpleRequest("abc"));
    expect(res.id).toBe("abc");
    expect(res.rawOutputContents).toHaveLength(2);
    const decoded = decodeGrpcInferResponse(res);
    expect(Array.from((decoded.outputs[0]?.data ?? []) as Int32Array)).toEqual(sixteen.map((v) => 2 * v));
    expect(Array.from((decoded.outputs[1]?.data ?? []) as Int32Array)).toEqual(sixteen.map(() => 0));
  });

  it("should return x-request-id and x- metadata", async () => {
    const headers: Headers[] = [];
    await client.modelInfer(tfsimpleRequest(), {
      headers: { "x-request-id": "carjjolvqj3j2pfbut10", "X-Foo": "bar" },
      onHeader: (h) => headers.push(h),
    });
    expect(headers[0]?.get("x-request-id")).toBe("carjjolvqj3j2pfbut10");
    expect(headers[0]?.get("x-foo")).toBe("bar");
  });

  it.each<[string, Record<string, string>, () => ReturnType<typeof tfsimpleRequest>, Code, RegExp]>([
    [
      "unknown model",
      {},
      () => create(ModelInferRequestSchema, { modelName: "nope" }),
      Code.NotFound,
      /nope/,
    ],
    ["empty model name", {}, () => create(ModelInferRequestSchema, {}), Code.InvalidArgument, /model_name/],
    [
      "wrong datatype",
      {},
      () =>
        fromJson(ModelInferRequestSchema, {
          model_name: "tfsimple",
          inputs: [
            { name: "INPUT0", datatype: "FP32", shape: [1, 16], contents: { fp32_contents: sixteen } },
          ],
        }),
      Code.InvalidArgument,
      /INPUT0/,
    ],
    [
      "contents count mismatch",
      {},
      () =>
        fromJson(ModelInferRequestSchema, {
          model_name: "iris",
          inputs: [{ name: "input", datatype: "FP32", shape: [1, 4], contents: { fp32_contents: [1, 2] } }],
        }),
      Code.InvalidArgument,
      /input/,
    ],
    [
      "bad seldon-model",
      { "seldon-model": "a.b.c" },
      () => tfsimpleRequest(),
      Code.InvalidArgument,
      /seldon-model/,
    ],
    ["pipeline", { "seldon-model": "p.pipeline" }, () => tfsimpleRequest(), Code.NotFound, /pipeline 'p'/],
  ])("should map %s to a gRPC status", async (_, headers, request, expected, message) => {
    const [got, text] = await code(client.modelInfer(request(), { headers: { ...headers, "x-foo": "bar" } }));
    expect(got).toBe(expected);
    expect(text).toMatch(message);
  });

  it("should carry x-request-id on errors", async () => {
    try {
      await client.modelInfer(create(ModelInferRequestSchema, { modelName: "nope" }), {
        headers: { "x-foo": "bar" },
      });
      expect.unreachable();
    } catch (err) {
      const ce = ConnectError.from(err);
      expect(ce.metadata.get("x-request-id")).toMatch(xid);
      expect(ce.metadata.get("x-foo")).toBe("bar");
    }
  });

  it("should serve statistics and the repository index", async () => {
    const stats = await client.modelStatistics({ name: "tfsimple" });
    expect(stats.modelStats[0]).toMatchObject({ name: "tfsimple", version: "1" });
    expect(stats.modelStats[0]?.inferenceCount).toBeGreaterThan(0n);
    expect((await client.modelStatistics({})).modelStats.length).toBeGreaterThan(1);
    const index = await client.repositoryIndex({ ready: true });
    expect(index.models.map((m) => m.name)).toContain("iris");
    expect(await code(client.repositoryModelLoad({ modelName: "iris" }))).toEqual([
      Code.Unavailable,
      expect.stringMatching(/control mode 'none'/),
    ]);
    expect((await code(client.modelMetadata({ name: "nope" })))[0]).toBe(Code.NotFound);
  });
});

describe("ModelStreamInfer", () => {
  it("should answer each request, reporting a failed one in error_message", async () => {
    const client = createClient(GRPCInferenceService, createGrpcTransport({ baseUrl: server.url }));
    async function* requests() {
      yield tfsimpleRequest("one");
      yield create(ModelInferRequestSchema, { modelName: "nope", id: "two" });
      yield fromJson(ModelInferRequestSchema, { ...irisJson, id: "three" });
    }
    const responses = [];
    for await (const res of client.modelStreamInfer(requests())) {
      responses.push(res);
    }
    expect(responses).toHaveLength(3);
    expect(responses[0]?.errorMessage).toBe("");
    expect(responses[0]?.inferResponse?.id).toBe("one");
    expect(responses[0]?.inferResponse?.rawOutputContents).toHaveLength(2);
    expect(responses[1]?.errorMessage).toMatch(/nope/);
    expect(responses[1]?.inferResponse?.id).toBe("two");
    expect(responses[2]?.inferResponse?.outputs[0]?.contents?.int64Contents).toEqual([2n]);
  });
});

describe("explicit control mode over gRPC", () => {
  it("should load and unload", async () => {
    const explicit = await startServer({ controlMode: "explicit" });
    try {
      const client = createClient(GRPCInferenceService, createGrpcTransport({ baseUrl: explicit.url }));
      expect((await client.modelReady({ name: "tfsimple" })).ready).toBe(false);
      expect(await client.repositoryModelLoad({ modelName: "tfsimple" })).toMatchObject({
        modelName: "tfsimple",
        isLoaded: true,
      });
      expect((await client.modelReady({ name: "tfsimple" })).ready).toBe(true);
      expect(await client.repositoryModelUnload({ modelName: "tfsimple" })).toMatchObject({
        isUnloaded: true,
      });
      expect((await client.modelReady({ name: "tfsimple" })).ready).toBe(false);
      expect((await code(client.repositoryModelLoad({ modelName: "nope" })))[0]).toBe(Code.NotFound);
    } finally {
      await explicit.close();
    }
  });
});

describe("the server's grpcRawOutput option", () => {
  it("should answer raw contents to typed requests for every model, unless a model's config says otherwise", async () => {
    const raw = await startServer({ grpcRawOutput: true });
    try {
      const client = createClient(GRPCInferenceService, createGrpcTransport({ baseUrl: raw.url }));
      const res = await client.modelInfer(fromJson(ModelInferRequestSchema, irisJson));
      expect(res.rawOutputContents).toHaveLength(2);
      expect(decodeGrpcInferResponse(res).outputs.map((o) => o.name)).toEqual(["predict", "predict_proba"]);
    } finally {
      await raw.close();
    }
  });
});

describe("the server's streamInferFraming option", () => {
  it("should stream bare ModelInferResponses, as Seldon's proto declares, when set to seldon", async () => {
    const seldon = await startServer({ streamInferFraming: "seldon" });
    try {
      // A client compiled from Seldon's proto: the same path, responses typed ModelInferResponse.
      const seldonService = {
        ...GRPCInferenceService,
        methods: [seldonModelStreamInfer],
        method: { modelStreamInfer: seldonModelStreamInfer },
      } as unknown as typeof GRPCInferenceService;
      const client = createClient(seldonService, createGrpcTransport({ baseUrl: seldon.url }));
      async function* requests() {
        yield tfsimpleRequest("a");
        yield tfsimpleRequest("b");
      }
      const answers = [];
      for await (const res of client.modelStreamInfer(requests())) {
        answers.push(res as unknown as { modelName: string; id: string });
      }
      expect(answers.map((a) => [a.modelName, a.id])).toEqual([
        ["tfsimple", "a"],
        ["tfsimple", "b"],
      ]);
      // The default server, read with Triton's wrapper, still answers the other framing.
      const triton = createClient(GRPCInferenceService, createGrpcTransport({ baseUrl: server.url }));
      async function* one() {
        yield tfsimpleRequest("c");
      }
      for await (const res of triton.modelStreamInfer(one())) {
        expect(res.inferResponse?.id).toBe("c");
      }
    } finally {
      await seldon.close();
    }
  });
});
