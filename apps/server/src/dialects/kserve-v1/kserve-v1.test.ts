import { datatypes, parseJsonText } from "@tensorwire/codec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../start-server.js";
import { datatypeSamples } from "../testing/datatype-samples.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely; the assertions check their shape.
type Body = any;
const json = (res: Response): Promise<Body> => res.json() as Promise<Body>;

let server: RunningServer;
let strict: RunningServer;
let unloaded: RunningServer;
beforeAll(async () => {
  [server, strict, unloaded] = await Promise.all([
    startServer({ maxInputSize: 4096 }),
    startServer({ v1Dialect: "kserve" }),
    startServer({ controlMode: "explicit", loadModels: ["tfsimple"] }),
  ]);
});
afterAll(async () => {
  await Promise.all([server.close(), strict.close(), unloaded.close()]);
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
