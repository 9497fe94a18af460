import { create, fromJson } from "@bufbuild/protobuf";
import { EmptySchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { datatypes } from "@tensorwire/codec";
import {
  FeedbackSchema,
  Generic,
  Model,
  Router,
  Seldon,
  SeldonMessageListSchema,
  SeldonMessageSchema,
} from "@tensorwire/proto/seldon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../server/start-server.js";
import { datatypeSamples } from "../testing/datatype-samples.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely; the assertions check their shape.
type Body = any;
const json = (res: Response): Promise<Body> => res.json() as Promise<Body>;

let server: RunningServer;
let single: RunningServer;
beforeAll(async () => {
  [server, single] = await Promise.all([
    startServer({ maxInputSize: 4096 }),
    startServer({
      models: [
        {
          name: "only",
          config: { runtime: "echo", inputs: [{ name: "x", datatype: "INT32", shape: [-1] }] },
        },
      ],
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([server.close(), single.close()]);
});

const xid = /^[0-9a-v]{20}$/;

function post(path: string, body: unknown, headers: Record<string, string> = {}, base = server) {
  return fetch(`${base.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Seldon's documented iris request (external-prediction.md). */
const irisNdarray = { data: { names: ["a", "b", "c", "d"], ndarray: [[5.1, 3.5, 1.4, 0.2]] } };

describe("Seldon v1 REST", () => {
  it("should predict with the documented external API call and fill meta as Seldon does", async () => {
    const res = await post("/api/v1.0/predictions", irisNdarray);
    expect(res.status).toBe(200);
    const puid = res.headers.get("seldon-puid");
    expect(puid).toMatch(xid);
    const body = await json(res);
    expect(body.data.names).toEqual(["t:0", "t:1", "t:2"]);
    expect(body.data.ndarray).toHaveLength(1);
    expect(body.data.ndarray[0]).toHaveLength(3);
    expect(body.meta).toEqual({
      puid,
      tags: {},
      routing: {},
      requestPath: { iris: "tensorwire/onnxruntime_onnx" },
      metrics: [],
    });
  });

  it.each([
    "/api/v0.1/predictions",
    "/predict",
    "/transform-input",
    "/transform-output",
    "/seldon/seldon/iris/api/v1.0/predictions",
  ])("should run the model at %s", async (path) => {
    const res = await post(path, irisNdarray);
    expect(res.status).toBe(200);
    expect((await json(res)).data.ndarray[0]).toHaveLength(3);
  });

  it("should keep the caller's puid (meta, then Seldon-Puid header) and pass tags through", async () => {
    const fromMeta = await post("/predict", { ...irisNdarray, meta: { puid: "p-1", tags: { team: "a" } } });
    expect((await json(fromMeta)).meta).toMatchObject({ puid: "p-1", tags: { team: "a" } });
    const fromHeader = await post("/predict", irisNdarray, { "seldon-puid": "p-2" });
    expect(fromHeader.headers.get("seldon-puid")).toBe("p-2");
    expect((await json(fromHeader)).meta.puid).toBe("p-2");
  });

  it("should answer in the request's encoding: tensor and tftensor", async () => {
    const tensor = await post("/predict", {
      data: { tensor: { shape: [1, 4], values: [5.1, 3.5, 1.4, 0.2] } },
    });
    const t = await json(tensor);
    expect(t.data.tensor.shape).toEqual([1, 3]);
    expect(t.data.tensor.values).toHaveLength(3);
    const tf = await post("/predict", {
      data: {
        tftensor: {
          dtype: "DT_FLOAT",
          tensorShape: { dim: [{ size: "1" }, { size: "4" }] },
          floatVal: [5.1, 3.5, 1.4, 0.2],
        },
      },
    });
    expect(tf.status).toBe(200);
    expect((await json(tf)).data.tftensor.dtype).toBe("DT_FLOAT");
  });

  it("should take a DT_DOUBLE tftensor where the model accepts FP64, and refuse it elsewhere", async () => {
    const doubles = (values: number[]) => ({
      data: {
        tftensor: {
          dtype: "DT_DOUBLE",
          tensorShape: { dim: [{ size: "1" }, { size: String(values.length) }] },
          doubleVal: values,
        },
      },
    });
    const iris = await post("/predict", doubles([5.1, 3.5, 1.4, 0.2]));
    expect(iris.status).toBe(200);
    expect((await json(iris)).data.tftensor.dtype).toBe("DT_FLOAT");
    const strict = await post("/predict", doubles([1, 2]), { "seldon-model": "identity_fp32" });
    expect(strict.status).toBe(400);
    expect((await json(strict)).status.info).toContain("expected datatype FP32, got FP64");
  });

  it("should read the message from a form field and a query argument, as the wrapper does", async () => {
    const form = await fetch(`${server.url}/predict`, {
      method: "POST",
      body: new URLSearchParams({ json: JSON.stringify(irisNdarray) }),
    });
    expect(form.status).toBe(200);
    const multipart = new FormData();
    multipart.set("json", JSON.stringify(irisNdarray));
    const mp = await fetch(`${server.url}/predict`, { method: "POST", body: multipart });
    expect(mp.status).toBe(200);
    const query = await fetch(
      `${server.url}/predict?json=${encodeURIComponent(JSON.stringify(irisNdarray))}`,
    );
    expect(query.status).toBe(200);
    expect((await json(query)).data.ndarray[0]).toHaveLength(3);
  });

  it.each(datatypes.filter((d) => d !== "FP16"))(
    "should carry %s through identity over ndarray",
    async (datatype) => {
      const values = datatypeSamples[datatype];
      const res = await post(
        "/predict",
        { data: { ndarray: [values] } },
        { "seldon-model": `identity_${datatype.toLowerCase()}` },
      );
      expect(res.status).toBe(200);
      expect((await json(res)).data.ndarray).toEqual([values]);
    },
  );

  it("should carry FP16 (values rounded to half precision) and every numeric type over tftensor", async () => {
    const res = await post(
      "/predict",
      { data: { ndarray: [[0.5, 2]] } },
      { "seldon-model": "identity_fp16" },
    );
    expect((await json(res)).data.ndarray).toEqual([[0.5, 2]]);
    const tf = await post(
      "/predict",
      {
        data: {
          tftensor: {
            dtype: "DT_INT64",
            tensorShape: { dim: [{ size: "1" }, { size: "2" }] },
            int64Val: ["9007199254740993", "-1"],
          },
        },
      },
      { "seldon-model": "identity_int64" },
    );
    expect(tf.status).toBe(200);
    expect((await json(tf)).data.tftensor.dtype).toBe("DT_INT64");
  });

  it("should route with the model's integer output and refuse a model without one", async () => {
    const res = await post("/route", irisNdarray);
    expect(res.status).toBe(200);
    expect((await json(res)).data.ndarray).toEqual([[0]]);
    const none = await post("/route", { data: { ndarray: [[1, 2]] } }, { "seldon-model": "echo" });
    expect(none.status).toBe(400);
    expect((await json(none)).status).toMatchObject({ code: 400, status: "FAILURE" });
  });

  it("should aggregate by stacking the messages' rows", async () => {
    const res = await post("/aggregate", { seldonMessages: [irisNdarray, irisNdarray] });
    expect(res.status).toBe(200);
    expect((await json(res)).data.ndarray).toHaveLength(2);
  });

  it("should take feedback and answer meta only", async () => {
    for (const path of ["/api/v1.0/feedback", "/send-feedback"]) {
      const res = await post(path, {
        request: irisNdarray,
        response: { data: { ndarray: [[0.9, 0.05, 0.05]] } },
        reward: 1,
      });
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body.data).toBeUndefined();
      expect(body.meta.puid).toMatch(xid);
    }
  });

  it("should pass strData, binData and jsonData through the echo mock and refuse them for a model", async () => {
    for (const payload of [{ strData: "hi" }, { binData: "AAEC" }, { jsonData: { a: [1, 2] } }]) {
      const res = await post("/predict", payload, { "seldon-model": "echo" });
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject(payload);
    }
    const refused = await post("/predict", { strData: "hi" });
    expect(refused.status).toBe(400);
    expect((await json(refused)).status.info).toMatch(/strData passes through the echo mock only/);
  });

  it("should answer health and metadata", async () => {
    const ping = await fetch(`${server.url}/health/ping`);
    expect(await ping.text()).toBe("pong");
    const status = await fetch(`${server.url}/health/status`);
    expect(await json(status)).toMatchObject({ status: { code: 200, status: "SUCCESS" } });
    const model = await json(await fetch(`${server.url}/metadata`));
    expect(model).toMatchObject({ name: "iris", platform: "onnxruntime_onnx" });
    expect(model.inputs).toEqual([{ name: "input", datatype: "FP32", shape: [-1, 4] }]);
    const named = await json(await fetch(`${server.url}/api/v1.0/metadata/tfsimple`));
    expect(named.name).toBe("tfsimple");
    const graph = await json(await fetch(`${server.url}/seldon/ns/fraud/api/v1.0/metadata`));
    expect(graph).toMatchObject({
      name: "fraud",
      graphinputs: [{ name: "input", datatype: "FP32", shape: [-1, 29] }],
    });
    expect(Object.keys(graph.models)).toEqual(["fraud"]);
  });

  it("should default to the only model a server has", async () => {
    const res = await post("/predict", { data: { ndarray: [1, 2, 3] } }, {}, single);
    expect(res.status).toBe(200);
    expect((await json(res)).data.ndarray).toEqual([1, 2, 3]);
  });

  it.each([
    ["malformed JSON", "/predict", "{", {}, 400],
    ["an empty body", "/predict", "", {}, 400],
    ["a wrong shape", "/predict", JSON.stringify({ data: { ndarray: [[1, 2, 3]] } }), {}, 400],
    ["two data kinds", "/predict", JSON.stringify({ data: { ndarray: [[1]] }, strData: "x" }), {}, 400],
    ["an unknown model", "/predict", JSON.stringify(irisNdarray), { "seldon-model": "nope" }, 404],
    [
      "an unknown model in the prefix",
      "/seldon/ns/nope/api/v1.0/predictions",
      JSON.stringify(irisNdarray),
      {},
      404,
    ],
    ["a multi-input model", "/predict", JSON.stringify(irisNdarray), { "seldon-model": "tfsimple" }, 400],
    ["a form without json", "/predict", "a=1", { "content-type": "application/x-www-form-urlencoded" }, 400],
    [
      "an oversized body",
      "/predict",
      JSON.stringify({ data: { ndarray: new Array(3000).fill(1) } }),
      {},
      413,
    ],
  ])("should answer %s with Seldon's status form", async (_, path, body, headers, status) => {
    const res = await post(path, body, headers);
    expect(res.status).toBe(status);
    const answer = await json(res);
    expect(answer.status).toMatchObject({
      code: status,
      status: "FAILURE",
      reason: status >= 500 ? "MICROSERVICE_INTERNAL_ERROR" : "MICROSERVICE_BAD_DATA",
    });
    expect(answer.status.info).toEqual(expect.any(String));
  });

  it("should answer a wrong method with 405 in Seldon's form", async () => {
    const res = await fetch(`${server.url}/health/ping`, { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect((await json(res)).status.status).toBe("FAILURE");
  });
});

describe("Seldon v1 gRPC", () => {
  const transports = [
    ["gRPC", () => createGrpcTransport({ baseUrl: server.url })],
    ["Connect", () => createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" })],
  ] as const;

  const irisMessage = () => fromJson(SeldonMessageSchema, irisNdarray);

  it.each(transports)("should predict over %s with Model and Seldon", async (_, transport) => {
    for (const service of [Model, Seldon]) {
      const client = createClient(service, transport());
      const headers = new Headers();
      const res = await client.predict(irisMessage(), {
        onHeader: (h) => {
          h.forEach((v, k) => {
            headers.set(k, v);
          });
        },
      });
      expect(res.dataOneof.case).toBe("data");
      expect(res.meta?.puid).toMatch(xid);
      expect(res.meta?.requestPath).toEqual({ iris: "tensorwire/onnxruntime_onnx" });
      expect(headers.get("seldon-puid")).toBe(res.meta?.puid);
    }
  });

  it("should pick the model from the seldon-model or seldon metadata", async () => {
    const client = createClient(Model, createGrpcTransport({ baseUrl: server.url }));
    const msg = fromJson(SeldonMessageSchema, { data: { ndarray: [[1, 2]] } });
    for (const header of ["seldon-model", "seldon"]) {
      const res = await client.predict(msg, { headers: { [header]: "identity_int32" } });
      expect(res.dataOneof.case).toBe("data");
    }
    const metadata = await client.metadata(create(EmptySchema), { headers: { seldon: "tfsimple" } });
    expect(metadata.name).toBe("tfsimple");
    expect(metadata.inputs.map((i) => i.name)).toEqual(["INPUT0", "INPUT1"]);
  });

  it("should serve Generic, Router and the Seldon metadata calls", async () => {
    const transport = createGrpcTransport({ baseUrl: server.url });
    const generic = createClient(Generic, transport);
    expect((await generic.transformInput(irisMessage())).dataOneof.case).toBe("data");
    const list = create(SeldonMessageListSchema, { seldonMessages: [irisMessage(), irisMessage()] });
    expect((await generic.aggregate(list)).dataOneof.case).toBe("data");
    const feedback = await generic.sendFeedback(
      create(FeedbackSchema, { request: irisMessage(), reward: 1 }),
    );
    expect(feedback.dataOneof.case).toBeUndefined();
    const routed = await createClient(Router, transport).route(irisMessage());
    expect(routed.dataOneof.case).toBe("data");
    const seldon = createClient(Seldon, transport);
    expect((await seldon.modelMetadata({ name: "fraud" })).platform).toBe("onnxruntime_onnx");
    const graph = await seldon.graphMetadata(create(EmptySchema));
    expect(Object.keys(graph.models)).toEqual(["iris"]);
  });

  it("should fail with gRPC statuses", async () => {
    const client = createClient(Model, createGrpcTransport({ baseUrl: server.url }));
    const bad = fromJson(SeldonMessageSchema, { data: { ndarray: [[1, 2, 3]] } });
    await expect(client.predict(bad)).rejects.toMatchObject({ code: Code.InvalidArgument });
    const err = await client
      .predict(irisMessage(), { headers: { "seldon-model": "nope" } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.NotFound);
  });
});
