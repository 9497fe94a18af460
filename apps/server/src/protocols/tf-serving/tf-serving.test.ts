import { datatypes } from "@tensorwire/codec";
import { parseTfServingJson } from "@tensorwire/codec/tf-serving";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../server/start-server.js";
import { datatypeSamples } from "../testing/datatype-samples.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely; the assertions check their shape.
type Body = any;
const json = (res: Response): Promise<Body> => res.json() as Promise<Body>;

let server: RunningServer;
let auto: RunningServer;
beforeAll(async () => {
  [server, auto] = await Promise.all([
    startServer({ v1Dialect: "tfserving", maxInputSize: 4096 }),
    startServer(),
  ]);
});
afterAll(async () => {
  await Promise.all([server.close(), auto.close()]);
});

async function post(path: string, body: string | object, base = server) {
  const res = await fetch(`${base.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const iris = [5.1, 3.5, 1.4, 0.2];
const fraudRow = Array.from({ length: 29 }, (_, i) => (i % 7) / 10 - 0.3);

describe("TF-Serving REST", () => {
  it("should answer model status for every version and for one", async () => {
    const expected = {
      model_version_status: [
        { version: "1", state: "AVAILABLE", status: { error_code: "OK", error_message: "" } },
      ],
    };
    expect(await json(await fetch(`${server.url}/v1/models/iris`))).toEqual(expected);
    expect(await json(await fetch(`${auto.url}/v1/models/iris/versions/1`))).toEqual(expected);
    const missing = await fetch(`${server.url}/v1/models/iris/versions/7`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toEqual({ error: "Could not find version 7 of model iris" });
  });

  it("should describe the serving_default signature in metadata", async () => {
    const body = await json(await fetch(`${auto.url}/v1/models/iris/metadata`));
    expect(body.model_spec).toEqual({ name: "iris", signature_name: "", version: "1" });
    const signature = body.metadata.signature_def.signature_def.serving_default;
    expect(signature.method_name).toBe("tensorflow/serving/predict");
    expect(signature.inputs.input).toEqual({
      dtype: "DT_FLOAT",
      tensor_shape: {
        dim: [
          { size: "-1", name: "" },
          { size: "4", name: "" },
        ],
        unknown_rank: false,
      },
      name: "input:0",
    });
    expect(Object.keys(signature.outputs)).toEqual(["predict", "predict_proba"]);
    expect(signature.outputs.predict.dtype).toBe("DT_INT64");
  });

  it("should predict in row format with a signature name, answering predictions", async () => {
    const res = await post("/v1/models/iris:predict", {
      signature_name: "serving_default",
      instances: [iris, iris],
    });
    expect(res.status).toBe(200);
    const { predictions } = JSON.parse(res.text);
    expect(predictions).toHaveLength(2);
    expect(Object.keys(predictions[0])).toEqual(["predict", "predict_proba"]);
  });

  it("should predict in columnar format, answering outputs", async () => {
    const res = await post("/v1/models/iris/versions/1:predict", { inputs: [iris] });
    const { outputs } = JSON.parse(res.text);
    expect(outputs.predict).toHaveLength(1);
    expect(outputs.predict_proba[0]).toHaveLength(3);
  });

  it("should take Hopsworks' path and request shape", async () => {
    const res = await post("/hopsworks-api/api/project/80/models/fraud:predict", {
      signature_name: "serving_default",
      instances: [fraudRow],
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).predictions).toEqual([[expect.any(Number)]]);
  });

  it("should read and write bare NaN and Infinity tokens", async () => {
    const res = await post(
      "/v1/models/identity_fp32:predict",
      '{"inputs": [[NaN, Infinity, -Infinity, 1.5e0]]}',
    );
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"outputs":[[NaN,Infinity,-Infinity,1.5]]}');
  });

  it("should read b64 values (UTF-8 ones come back as text: ONNX string tensors hold only UTF-8)", async () => {
    const res = await post("/v1/models/identity_bytes:predict", {
      instances: [[{ b64: "aMOpbGxv" }, "text"]],
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ predictions: [["héllo", "text"]] });
  });

  it.each(datatypes)("should carry %s through identity", async (datatype) => {
    const values = datatypeSamples[datatype];
    const res = await post(`/v1/models/identity_${datatype.toLowerCase()}:predict`, {
      inputs: { INPUT0: [values] },
    });
    expect(res.status).toBe(200);
    expect(parseTfServingJson(res.text)).toEqual({ outputs: [values] });
  });

  it("should classify with the model's score output", async () => {
    const res = await post("/v1/models/iris:classify", { examples: [{ input: iris }] });
    expect(res.status).toBe(200);
    const { result } = JSON.parse(res.text);
    expect(result).toHaveLength(1);
    expect(result[0].map((pair: [string, number]) => pair[0])).toEqual(["0", "1", "2"]);
    const total = result[0].reduce((sum: number, pair: [string, number]) => sum + pair[1], 0);
    expect(total).toBeCloseTo(1, 5);
  });

  it("should regress with a [-1, 1] float output and merge context into examples", async () => {
    const res = await post("/v1/models/tfsimple:regress", {
      context: { INPUT1: new Array(16).fill(0) },
      examples: [{ INPUT0: new Array(16).fill(1) }],
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toMatch(/no output that fits regress/);
    const fraud = await post("/v1/models/fraud:regress", {
      examples: [{ input: fraudRow }, { input: fraudRow }],
    });
    expect(fraud.status).toBe(200);
    expect(JSON.parse(fraud.text).result).toEqual([expect.any(Number), expect.any(Number)]);
  });

  it("should answer Hopsworks' documented login and predict_images request", async () => {
    const login = await fetch(`${server.url}/hopsworks-api/api/auth/login`, {
      method: "POST",
      body: new URLSearchParams({ email: "user@email.com", password: "userpassword" }),
    });
    expect(login.status).toBe(200);
    expect(login.headers.get("set-cookie")).toMatch(/^SESSION=/);
    // Zeros and ones keep the body under this server's small body limit.
    const image = Array.from({ length: 784 }, (_, i) => i % 2);
    const res = await fetch(`${server.url}/hopsworks-api/api/project/80/models/mnist:predict`, {
      method: "POST",
      body: JSON.stringify({ signature_name: "predict_images", instances: [image] }),
    });
    expect(res.status).toBe(200);
    const [scores] = JSON.parse(await res.text()).predictions;
    expect(scores).toHaveLength(10);
    const metadata = await json(await fetch(`${server.url}/v1/models/mnist/metadata`));
    expect(Object.keys(metadata.metadata.signature_def.signature_def)).toEqual([
      "serving_default",
      "predict_images",
    ]);
  });

  it.each([
    ["malformed JSON", "/v1/models/iris:predict", "{", 400],
    ["both formats", "/v1/models/iris:predict", JSON.stringify({ instances: [iris], inputs: [iris] }), 400],
    [
      "an unknown signature",
      "/v1/models/iris:predict",
      JSON.stringify({ signature_name: "predict_images", instances: [iris] }),
      400,
    ],
    ["a wrong shape", "/v1/models/iris:predict", JSON.stringify({ instances: [[1, 2]] }), 400],
    ["a version label", "/v1/models/iris/labels/stable:predict", JSON.stringify({ instances: [iris] }), 400],
    ["an unknown model", "/v1/models/half:predict", JSON.stringify({ instances: [iris] }), 404],
    [
      "context clashing with an example",
      "/v1/models/iris:classify",
      JSON.stringify({ context: { input: iris }, examples: [{ input: iris }] }),
      400,
    ],
    [
      "an oversized body",
      "/v1/models/iris:predict",
      JSON.stringify({ instances: new Array(3000).fill(1) }),
      413,
    ],
  ])("should answer %s with {error} and a 4xx", async (_, path, body, status) => {
    const res = await post(path, body);
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text)).toEqual({ error: expect.any(String) });
  });
});
