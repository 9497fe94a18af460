import { datatypes, parseJsonText } from "@tensorwire/codec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../server/start-server.js";
import { datatypeSamples } from "../testing/datatype-samples.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely; the assertions check their shape.
type Body = any;
const json = (res: Response): Promise<Body> => res.json() as Promise<Body>;

let server: RunningServer;
let strict: RunningServer;
let unloaded: RunningServer;
let mocks: RunningServer;
const explanation = {
  explanations: [{ feature: "petal_length", weight: 0.8, big: 9007199254740993n }],
  meta: { name: "AnchorTabular", params: null, tags: ["a", 1, true] },
};
const fp32x4 = [{ name: "x", datatype: "FP32", shape: [-1, 4] }];
beforeAll(async () => {
  [server, strict, unloaded, mocks] = await Promise.all([
    startServer({ maxInputSize: 4096 }),
    startServer({ v1Dialect: "kserve" }),
    startServer({ controlMode: "explicit", loadModels: ["tfsimple"] }),
    startServer({
      controlMode: "explicit",
      loadModels: ["anchors", "scores", "plain"],
      models: [
        {
          name: "anchors",
          config: { runtime: "echo", inputs: fp32x4, explainer: { response: explanation } },
        },
        {
          name: "scores",
          config: {
            runtime: "constant",
            inputs: fp32x4,
            outputs: [
              { name: "label", datatype: "INT64", shape: [2], data: [1, 2] },
              { name: "proba", datatype: "FP32", shape: [2, 2], data: [0.25, 0.75, 0.5, 0.5] },
            ],
            explainer: { kind: "predictions" },
          },
        },
        { name: "plain", config: { runtime: "echo", inputs: fp32x4 } },
        { name: "later", config: { runtime: "echo", inputs: fp32x4, explainer: { kind: "predictions" } } },
      ],
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([server.close(), strict.close(), unloaded.close(), mocks.close()]);
});

function post(base: RunningServer, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("KServe V1", () => {
  it("should answer the InferenceRESTClient's liveness probe on GET /", async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: "alive" });
  });

  it("should list models", async () => {
    const { models } = await json(await fetch(`${server.url}/v1/models`));
    expect(models).toEqual(expect.arrayContaining(["iris", "tfsimple", "identity_fp32"]));
  });

  it("should answer model readiness with KServe's body (plus TF-Serving's status in auto mode)", async () => {
    const strictBody = await json(await fetch(`${strict.url}/v1/models/iris`));
    expect(strictBody).toEqual({ name: "iris", ready: true });
    const autoBody = await json(await fetch(`${server.url}/v1/models/iris`));
    expect(autoBody).toMatchObject({
      name: "iris",
      ready: true,
      model_version_status: [{ state: "AVAILABLE" }],
    });
  });

  it("should answer 503 for a model not ready and 404 for an unknown one, as is_model_ready expects", async () => {
    const notReady = await fetch(`${unloaded.url}/v1/models/iris`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get("content-type")).toBe("application/json");
    expect(await json(notReady)).toEqual({ error: "Model with name iris is not ready." });
    const unknown = await fetch(`${server.url}/v1/models/nope`);
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toEqual({ error: "Model with name nope does not exist." });
  });

  it("should predict instances (the explain example's request shape) for a multi-output model", async () => {
    const res = await post(server, "/v1/models/iris:predict", {
      instances: [
        [6.8, 2.8, 4.8, 1.4],
        [6.0, 3.4, 4.5, 1.6],
      ],
    });
    expect(res.status).toBe(200);
    const { predictions } = await json(res);
    expect(predictions).toHaveLength(2);
    expect(predictions[0]).toEqual({
      predict: expect.any(Number),
      predict_proba: [expect.any(Number), expect.any(Number), expect.any(Number)],
    });
  });

  it("should predict named instances for a multi-input model", async () => {
    const sixteen = Array.from({ length: 16 }, (_, i) => i);
    const res = await post(strict, "/v1/models/tfsimple:predict", {
      instances: [{ INPUT0: sixteen, INPUT1: sixteen }],
    });
    const { predictions } = await json(res);
    expect(predictions[0].OUTPUT0).toEqual(sixteen.map((v) => 2 * v));
    expect(predictions[0].OUTPUT1).toEqual(new Array(16).fill(0));
  });

  it.each(datatypes)("should carry %s through identity", async (datatype) => {
    const values = datatypeSamples[datatype];
    const res = await post(strict, `/v1/models/identity_${datatype.toLowerCase()}:predict`, {
      instances: [values],
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ predictions: [values] });
  });

  it("should keep INT64 beyond 2^53 exact and write NaN as null", async () => {
    const big = await post(
      strict,
      "/v1/models/identity_int64:predict",
      '{"instances": [[9007199254740993, -1]]}',
    );
    expect(await big.text()).toBe('{"predictions":[[9007199254740993,-1]]}');
    const nan = await post(strict, "/v1/models/identity_fp64:predict", '{"instances": [[NaN, 1]]}');
    expect(await json(nan)).toEqual({ predictions: [[null, 1]] });
  });

  it("should answer :explain with 501 for a model without an explainer, 404 for an unknown one", async () => {
    const res = await post(server, "/v1/models/iris:explain", { instances: [[6.8, 2.8, 4.8, 1.4]] });
    expect(res.status).toBe(501);
    expect((await json(res)).error).toMatch(/has no explainer/);
    expect((await post(server, "/v1/models/nope:explain", { instances: [] })).status).toBe(404);
  });

  it("should answer a constant explainer's response as-is, whatever the instances", async () => {
    const res = await post(mocks, "/v1/models/anchors:explain", {
      instances: [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe(
      '{"explanations":[{"feature":"petal_length","weight":0.8,"big":9007199254740993}],' +
        '"meta":{"name":"AnchorTabular","params":null,"tags":["a",1,true]}}',
    );
  });

  it("should answer a predictions explainer with the model's predictions as explanations", async () => {
    const instances = [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ];
    const explained = await json(await post(mocks, "/v1/models/scores:explain", { instances }));
    const predicted = await json(await post(mocks, "/v1/models/scores:predict", { instances }));
    expect(explained).toEqual({
      explanations: [
        { label: 1, proba: [0.25, 0.75] },
        { label: 2, proba: [0.5, 0.5] },
      ],
    });
    expect(explained.explanations).toEqual(predicted.predictions);
  });

  it("should answer :explain with 501 without an explainer, 503 for a model not loaded, 404 for an unknown one", async () => {
    const plain = await post(mocks, "/v1/models/plain:explain", { instances: [[1, 2, 3, 4]] });
    expect(plain.status).toBe(501);
    expect(await json(plain)).toEqual({
      error: "Model with name plain has no explainer: tensorwire serves predictions only",
    });
    const later = await post(mocks, "/v1/models/later:explain", { instances: [[1, 2, 3, 4]] });
    expect(later.status).toBe(503);
    expect(await json(later)).toEqual({ error: "Model with name later is not ready." });
    const unknown = await post(mocks, "/v1/models/nope:explain", { instances: [[1, 2, 3, 4]] });
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toEqual({ error: "Model with name nope does not exist." });
  });

  it.each([
    ["malformed JSON", "anchors", "{"],
    ["an empty body", "anchors", ""],
    ["no instances", "anchors", JSON.stringify({ inputs: [[1, 2, 3, 4]] })],
    ["a wrong shape", "anchors", JSON.stringify({ instances: [[1, 2, 3]] })],
    ["a wrong shape (predictions)", "scores", JSON.stringify({ instances: [[1, 2, 3]] })],
    ["a wrong datatype", "scores", JSON.stringify({ instances: [["a", "b", "c", "d"]] })],
  ])("should answer :explain with %s with 400", async (_, model, body) => {
    const res = await post(mocks, `/v1/models/${model}:explain`, body);
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ error: expect.any(String) });
  });

  it("should answer a GET on :explain with 405", async () => {
    const res = await fetch(`${mocks.url}/v1/models/anchors:explain`);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("should explain with the default zoo's echo and constant mocks", async () => {
    const echo = await json(await post(server, "/v1/models/echo:explain", { instances: [[1, 2]] }));
    expect(echo).toEqual({ explanations: [[1, 2]] });
    const constant = await post(server, "/v1/models/constant:explain", { instances: [[1, 2]] });
    expect(constant.status).toBe(200);
    expect(await json(constant)).toEqual({ explanations: [expect.objectContaining({ feature: "INPUT0" })] });
  });

  it.each([
    ["malformed JSON", "/v1/models/iris:predict", "{", 400],
    ["no instances", "/v1/models/iris:predict", JSON.stringify({ rows: [] }), 400],
    ["a wrong shape", "/v1/models/iris:predict", JSON.stringify({ instances: [[1, 2, 3]] }), 400],
    ["a wrong datatype", "/v1/models/identity_bool:predict", JSON.stringify({ instances: [[1]] }), 400],
    ["an unknown model", "/v1/models/nope:predict", JSON.stringify({ instances: [[1]] }), 404],
    [
      "an oversized body",
      "/v1/models/iris:predict",
      JSON.stringify({ instances: new Array(3000).fill(1) }),
      413,
    ],
  ])("should answer %s with {error} and a 4xx", async (_, path, body, status) => {
    const res = await post(server, path, body);
    expect(res.status).toBe(status);
    expect(await json(res)).toEqual({ error: expect.any(String) });
  });

  it("should answer a GET on :predict with 405", async () => {
    const res = await fetch(`${server.url}/v1/models/iris:predict`);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("should hand TF-Serving-shaped bodies to TF-Serving in auto mode only", async () => {
    const auto = await post(server, "/v1/models/identity_fp32:predict", '{"inputs": [[NaN, 1]]}');
    expect(await auto.text()).toBe('{"outputs":[[NaN,1]]}');
    const kserve = await post(strict, "/v1/models/identity_fp32:predict", { inputs: [[1]] });
    expect(kserve.status).toBe(400);
    expect(parseJsonText(await kserve.text())).toEqual({ error: expect.stringContaining("instances") });
  });
});
