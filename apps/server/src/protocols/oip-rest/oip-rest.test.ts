import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import { gzipSync } from "node:zlib";
import { createTensor, type Tensor } from "@tensorwire/codec";
import { decodeBinaryResponse, encodeBinaryRequest, joinBinaryBody } from "@tensorwire/codec/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../server/start-server.js";

let server: RunningServer;
let small: RunningServer;
let explicit: RunningServer;

beforeAll(async () => {
  [server, small, explicit] = await Promise.all([
    startServer(),
    // A 1 KiB limit, so the 413 tests need no large bodies.
    startServer({ maxInputSize: 1024 }),
    startServer({ controlMode: "explicit", loadModels: ["tfsimple"] }),
  ]);
});
afterAll(async () => {
  await Promise.all([server.close(), small.close(), explicit.close()]);
});

const xid = /^[0-9a-v]{20}$/;

function post(
  base: RunningServer,
  path: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
) {
  return fetch(`${base.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

const int32 = (name: string, values: number[]): Tensor =>
  createTensor({ name, datatype: "INT32", shape: [1, values.length], data: Int32Array.from(values) });

const sixteen = Array.from({ length: 16 }, (_, i) => i + 1);

describe("OIP REST", () => {
  it("should answer health with 200 and KServe's JSON", async () => {
    const live = await fetch(`${server.url}/v2/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ live: true });
    const ready = await fetch(`${server.url}/v2/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
  });

  it.each(["/v2", "/v2/"])("should answer server metadata at %s", async (path) => {
    const res = await fetch(`${server.url}${path}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { name: string; extensions: string[] };
    expect(body.name).toBe("tensorwire");
    expect(body.extensions).toContain("binary_tensor_data");
  });

  it.each(["/v2/models/iris", "/v2/models/iris/versions/1"])(
    "should answer model metadata at %s",
    async (path) => {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        name: "iris",
        versions: ["1"],
        inputs: [{ name: "input", datatype: "FP32", shape: [-1, 4] }],
      });
    },
  );

  it("should answer model readiness", async () => {
    const ready = await fetch(`${server.url}/v2/models/tfsimple/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ name: "tfsimple", ready: true });
    const versioned = await fetch(`${server.url}/v2/models/tfsimple/versions/1/ready`);
    expect(versioned.status).toBe(200);
    // As metadata answers: 404 for a model the server does not know (503 is for a known one not ready).
    const unknown = await fetch(`${server.url}/v2/models/nope/ready`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "Request for unknown model: 'nope' is not found" });
    expect((await fetch(`${server.url}/v2/models/tfsimple/versions/9/ready`)).status).toBe(404);
  });

  it("should answer Triton's model configuration: batch dimension out of dims when max_batch_size > 0", async () => {
    const simple = await fetch(`${server.url}/v2/models/simple/config`);
    expect(simple.status).toBe(200);
    const config = (await simple.json()) as Record<string, unknown>;
    expect(config).toMatchObject({
      name: "simple",
      platform: "onnxruntime_onnx",
      backend: "onnxruntime",
      max_batch_size: 8,
      input: [
        { name: "INPUT0", data_type: "TYPE_INT32", dims: [16] },
        { name: "INPUT1", data_type: "TYPE_INT32", dims: [16] },
      ],
      output: [
        { name: "OUTPUT0", data_type: "TYPE_INT32", dims: [16] },
        { name: "OUTPUT1", data_type: "TYPE_INT32", dims: [16] },
      ],
    });
    const identity = await (await fetch(`${server.url}/v2/models/simple_identity/versions/1/config`)).json();
    expect(identity).toMatchObject({ max_batch_size: 8, input: [{ data_type: "TYPE_STRING", dims: [-1] }] });
    const iris = await (await fetch(`${server.url}/v2/models/iris/config`)).json();
    expect(iris).toMatchObject({ max_batch_size: 0, input: [{ name: "input", dims: [-1, 4] }] });
    const unknown = await fetch(`${server.url}/v2/models/nope/config`);
    expect(unknown.status).toBe(404);
  });

  it("should run the curl request of Seldon's inference docs verbatim (seldon-model: iris)", async () => {
    // curl -v http://0.0.0.0:9000/v2/models/iris/infer -H "Content-Type: application/json" -H "seldon-model: iris"
    //   -d '{"inputs": [{"name": "predict", "shape": [1, 4], "datatype": "FP32", "data": [[1, 2, 3, 4]]}]}'
    const res = await post(
      server,
      "/v2/models/iris/infer",
      '{"inputs": [{"name": "predict", "shape": [1, 4], "datatype": "FP32", "data": [[1, 2, 3, 4]]}]}',
      { "seldon-model": "iris" },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-request-id")).toMatch(xid);
    const body = (await res.json()) as { model_name: string; outputs: { name: string; data: number[] }[] };
    expect(body.model_name).toBe("iris");
    expect(body.outputs.map((o) => o.name)).toEqual(["predict", "predict_proba"]);
    expect(body.outputs[0]?.data).toEqual([2]);
  });

  it("should echo the request id", async () => {
    const res = await post(
      server,
      "/v2/models/tfsimple/infer",
      JSON.stringify({
        id: "my-id",
        inputs: [
          { name: "INPUT0", shape: [1, 16], datatype: "INT32", data: sixteen },
          { name: "INPUT1", shape: [1, 16], datatype: "INT32", data: sixteen },
        ],
        outputs: [{ name: "OUTPUT0" }],
      }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; outputs: { name: string; data: number[] }[] };
    expect(body.id).toBe("my-id");
    expect(body.outputs).toHaveLength(1);
    expect(body.outputs[0]?.data).toEqual(sixteen.map((v) => 2 * v));
  });

  it("should read binary inputs and write binary outputs when asked", async () => {
    const encoded = encodeBinaryRequest({
      inputs: [
        int32("INPUT0", sixteen),
        int32(
          "INPUT1",
          sixteen.map(() => 1),
        ),
      ],
      outputs: [{ name: "OUTPUT0", parameters: { binary_data: true } }, { name: "OUTPUT1" }],
    });
    const res = await post(server, "/v2/models/tfsimple/infer", joinBinaryBody(encoded), {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(encoded.headerLength),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    const headerLength = res.headers.get("inference-header-content-length");
    expect(headerLength).not.toBeNull();
    const body = new Uint8Array(await res.arrayBuffer());
    const json = JSON.parse(new TextDecoder().decode(body.subarray(0, Number(headerLength))));
    expect(json.outputs[0].parameters).toEqual({ binary_data_size: 64 });
    expect(json.outputs[1].data).toEqual(sixteen.map((v) => v - 1));
    const decoded = decodeBinaryResponse(body, headerLength ?? undefined);
    expect(Array.from((decoded.outputs[0]?.data ?? []) as Int32Array)).toEqual(sixteen.map((v) => v + 1));
  });

  it("should write every output binary with binary_data_output", async () => {
    const res = await post(
      server,
      "/v2/models/tfsimple/infer",
      JSON.stringify({
        parameters: { binary_data_output: true },
        inputs: [
          { name: "INPUT0", shape: [1, 16], datatype: "INT32", data: sixteen },
          { name: "INPUT1", shape: [1, 16], datatype: "INT32", data: sixteen },
        ],
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    const decoded = decodeBinaryResponse(
      new Uint8Array(await res.arrayBuffer()),
      res.headers.get("inference-header-content-length") ?? undefined,
    );
    expect(Array.from((decoded.outputs[1]?.data ?? []) as Int32Array)).toEqual(sixteen.map(() => 0));
  });

  it("should accept gzip and deflate request bodies", async () => {
    const body = gzipSync(
      JSON.stringify({ inputs: [{ name: "INPUT0", shape: [1, 2], datatype: "FP32", data: [1, 2] }] }),
    );
    const res = await post(server, "/v2/models/echo/infer", body, { "content-encoding": "gzip" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { outputs: { data: number[] }[] }).outputs[0]?.data).toEqual([1, 2]);
  });

  it("should serve REST over h2c on the same port", async () => {
    const session = http2.connect(server.url);
    try {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const stream = session.request({ ":path": "/v2/health/ready" });
        let status = 0;
        let body = "";
        stream.on("response", (h) => {
          status = Number(h[":status"]);
        });
        stream.setEncoding("utf8");
        stream.on("data", (c: string) => {
          body += c;
        });
        stream.on("end", () => resolve({ status, body }));
        stream.on("error", reject);
      });
      expect(status).toBe(200);
      expect(JSON.parse(body)).toEqual({ ready: true });
    } finally {
      session.close();
    }
  });
});

describe("Seldon headers", () => {
  it("should return the caller's x-request-id and every x- header", async () => {
    const res = await post(
      server,
      "/v2/models/echo/infer",
      JSON.stringify({ inputs: [{ name: "INPUT0", shape: [1, 1], datatype: "FP32", data: [1] }] }),
      { "X-Request-Id": "carjjolvqj3j2pfbut10", "X-Foo": "bar", "x-trace-Thing": "t1", other: "no" },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("carjjolvqj3j2pfbut10");
    expect(res.headers.get("x-foo")).toBe("bar");
    expect(res.headers.get("x-trace-thing")).toBe("t1");
    expect(res.headers.get("other")).toBeNull();
  });

  it("should carry x-request-id and x- headers on errors", async () => {
    const res = await post(server, "/v2/models/nope/infer", '{"inputs":[]}', { "x-foo": "bar" });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-request-id")).toMatch(xid);
    expect(res.headers.get("x-foo")).toBe("bar");
  });

  it("should route by seldon-model over the path's model", async () => {
    const res = await fetch(`${server.url}/v2/models/anything/ready`, {
      headers: { "seldon-model": "tfsimple" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: "tfsimple", ready: true });
    const model = await fetch(`${server.url}/v2/models/anything`, {
      headers: { "seldon-model": "tfsimple.model" },
    });
    expect(((await model.json()) as { name: string }).name).toBe("tfsimple");
  });
});

describe("REST errors", () => {
  const infer = "/v2/models/tfsimple/infer";
  const good = JSON.stringify({
    inputs: [
      { name: "INPUT0", shape: [1, 16], datatype: "INT32", data: sixteen },
      { name: "INPUT1", shape: [1, 16], datatype: "INT32", data: sixteen },
    ],
  });
  it.each<[string, string, string, string | undefined, Record<string, string>, number, string | RegExp]>([
    ["unknown route", "GET", "/nope", undefined, {}, 404, "Not Found"],
    ["unknown /v2 route", "GET", "/v2/health/dead", undefined, {}, 404, "Not Found"],
    ["GET on infer", "GET", infer, undefined, {}, 405, "Method Not Allowed"],
    ["POST on health", "POST", "/v2/health/live", "", {}, 405, "Method Not Allowed"],
    ["POST on metadata", "POST", "/v2/models/iris", "", {}, 405, "Method Not Allowed"],
    ["GET on repository index", "GET", "/v2/repository/index", undefined, {}, 405, "Method Not Allowed"],
    ["unknown model metadata", "GET", "/v2/models/nope", undefined, {}, 404, /nope/],
    ["unknown version metadata", "GET", "/v2/models/iris/versions/9", undefined, {}, 404, /9/],
    ["malformed JSON", "POST", infer, "{inputs", {}, 400, /invalid JSON/],
    ["empty body", "POST", infer, "", {}, 400, /body is empty/],
    ["body not an object", "POST", infer, "[1]", {}, 400, /JSON object/],
    ["missing inputs", "POST", infer, "{}", {}, 400, /inputs/],
    ["unknown model", "POST", "/v2/models/nope/infer", good, {}, 404, /nope/],
    [
      "shape/data mismatch",
      "POST",
      infer,
      '{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[1,2]}]}',
      {},
      400,
      /INPUT0/,
    ],
    [
      "bad header length",
      "POST",
      infer,
      good,
      { "inference-header-content-length": "abc" },
      400,
      /Unable to parse/,
    ],
    [
      "header length beyond body",
      "POST",
      infer,
      good,
      { "inference-header-content-length": "999999" },
      400,
      /Inference-Header-Content-Length/,
    ],
    ["bad seldon-model", "POST", infer, good, { "seldon-model": "a.b.c" }, 400, /seldon-model/],
    [
      "bad seldon-model suffix",
      "GET",
      "/v2/models/iris",
      undefined,
      { "seldon-model": "iris.x" },
      400,
      /seldon-model/,
    ],
    ["pipeline header", "POST", infer, good, { "seldon-model": "p.pipeline" }, 404, /pipeline 'p'/],
    ["pipeline path", "POST", "/v2/pipelines/p/infer", good, {}, 404, /pipeline 'p'/],
    ["pipeline model path", "POST", "/v2/models/p.pipeline/infer", good, {}, 404, /pipeline 'p'/],
    ["bad percent-encoding", "GET", "/v2/models/%E0%A4%A/ready", undefined, {}, 400, /percent-encoding/],
    [
      "unknown content-encoding",
      "POST",
      infer,
      good,
      { "content-encoding": "zstd" },
      400,
      /Content-Encoding/,
    ],
    ["corrupt gzip", "POST", infer, good, { "content-encoding": "gzip" }, 400, /decompressed/],
    ["index body not JSON", "POST", "/v2/repository/index", "nope", {}, 400, /invalid JSON/],
    ["index ready not boolean", "POST", "/v2/repository/index", '{"ready":"yes"}', {}, 400, /ready/],
    ["load in mode none", "POST", "/v2/repository/models/iris/load", "", {}, 503, /control mode 'none'/],
    ["stats of unknown model", "GET", "/v2/models/nope/stats", undefined, {}, 404, /nope/],
  ])("should answer %s with a JSON error", async (_, method, path, body, headers, status, message) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toBe("application/json");
    const json = (await res.json()) as { error: string };
    expect(Object.keys(json)).toEqual(["error"]);
    if (typeof message === "string") {
      expect(json.error).toBe(message);
    } else {
      expect(json.error).toMatch(message);
    }
  });

  it("should answer 405 with Allow", async () => {
    const res = await fetch(`${server.url}/v2/health/live`, { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
  });
});

describe("REST body limit", () => {
  const big = JSON.stringify({
    inputs: [
      { name: "INPUT0", shape: [1, 400], datatype: "FP32", data: Array.from({ length: 400 }, () => 1.5) },
    ],
  });

  it("should answer 413 from Content-Length", async () => {
    const res = await post(small, "/v2/models/echo/infer", big);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /maximum allowed input size of 1024 bytes/,
    );
  });

  it("should answer 413 for a chunked body without buffering it", async () => {
    // A raw HTTP/1.1 request: chunked, no Content-Length, and far more data than the limit.
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${small.url}/v2/models/echo/infer`, { method: "POST" }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on("error", reject);
      for (let i = 0; i < 64; i++) {
        req.write(big.slice(0, 512));
      }
      req.end();
    });
    expect(status).toBe(413);
    expect(JSON.parse(body).error).toMatch(/at least \d+ bytes/);
  });

  it("should count decompressed bytes against the limit", async () => {
    const res = await post(small, "/v2/models/echo/infer", gzipSync(big), { "content-encoding": "gzip" });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/decompressed request body/);
  });

  it("should keep serving after a 413", async () => {
    const res = await fetch(`${small.url}/v2/health/live`);
    expect(res.status).toBe(200);
  });
});

describe("repository and statistics", () => {
  it("should list the repository", async () => {
    const res = await post(explicit, "/v2/repository/index", "");
    expect(res.status).toBe(200);
    const index = (await res.json()) as { name: string; state: string }[];
    expect(index).toContainEqual(expect.objectContaining({ name: "tfsimple", state: "READY" }));
    expect(index.map((e) => e.name)).toContain("iris");
    const ready = (await (await post(explicit, "/v2/repository/index", '{"ready":true}')).json()) as {
      name: string;
    }[];
    expect(ready.map((e) => e.name)).toEqual(["tfsimple"]);
  });

  it("should load and unload models", async () => {
    const load = await post(explicit, "/v2/repository/models/iris/load", "");
    expect(load.status).toBe(200);
    expect(await load.text()).toBe("");
    expect((await fetch(`${explicit.url}/v2/models/iris/ready`)).status).toBe(200);
    const unload = await post(
      explicit,
      "/v2/repository/models/iris/unload",
      '{"parameters":{"unload_dependents":false}}',
    );
    expect(unload.status).toBe(200);
    expect((await fetch(`${explicit.url}/v2/models/iris/ready`)).status).toBe(503);
    const unknown = await post(explicit, "/v2/repository/models/nope/load", "");
    expect(unknown.status).toBe(404);
    const badParameters = await post(explicit, "/v2/repository/models/iris/load", '{"parameters":{"a":[1]}}');
    expect(badParameters.status).toBe(400);
  });

  it("should report statistics in Triton's shape", async () => {
    await post(
      server,
      "/v2/models/echo/infer",
      '{"inputs":[{"name":"INPUT0","shape":[1,1],"datatype":"FP32","data":[1]}]}',
    );
    for (const path of ["/v2/models/stats", "/v2/models/echo/stats", "/v2/models/echo/versions/1/stats"]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status).toBe(200);
      const { model_stats } = (await res.json()) as { model_stats: Record<string, unknown>[] };
      const echo = model_stats.find((s) => s.name === "echo");
      expect(echo).toMatchObject({
        version: "1",
        inference_stats: { success: { count: expect.any(Number), ns: expect.any(Number) } },
      });
      expect(echo?.inference_count).toBeGreaterThanOrEqual(1);
    }
  });
});

describe("robustness", () => {
  it("should survive garbage on the socket", async () => {
    await new Promise<void>((resolve) => {
      const socket = net.connect(server.port, "127.0.0.1", () => {
        socket.end("\x00\x01\x02 not http at all\r\n\r\n");
      });
      socket.on("error", () => resolve());
      socket.on("close", () => resolve());
      socket.resume();
    });
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
  });
});
