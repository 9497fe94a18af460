import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import * as http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canServe, probe, type ServeProcess, serve, watchHealth } from "./serve.js";

// Request bodies and documents: JSON nested 100,000 levels deep on every JSON surface, bodies at
// the size limit, garbage and truncated JSON, and model config files (huge, billion laughs, deep,
// slow to parse) loaded through the repository API. Each probe asserts the answer, that a
// concurrent health check never failed, that the server lives on, and that its open files and
// memory came back.

const levels = 100_000;
const deepArray = `${"[".repeat(levels)}1${"]".repeat(levels)}`;
const deepObject = `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
const oipInput = (fields: Record<string, string>) => {
  const f = { name: '"INPUT0"', shape: "[1,1]", datatype: '"FP32"', data: "[1]", ...fields };
  return `{"inputs":[{"name":${f.name},"shape":${f.shape},"datatype":${f.datatype},"data":${f.data}}]}`;
};

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One POST on a fresh connection; the body is sent whole, whatever the server answers first. */
function post(
  port: number,
  path: string,
  body: string | Buffer,
  contentType = "application/json",
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        agent: false,
        headers: { "content-type": contentType },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error(`POST ${path}: no answer in 60 s`)));
    req.on("error", reject);
    req.end(body);
  });
}

const errorOf = (answer: Answer): string => (JSON.parse(answer.body) as { error: string }).error;

describe.runIf(canServe)("abuse: deep JSON on every JSON surface", () => {
  let server: ServeProcess;
  beforeAll(async () => {
    server = await serve(["--zoo", "all"]);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  // Each REST dialect's JSON route, and the OIP fields the nesting reached before it was limited.
  const restCases: [string, string, string][] = [
    ["OIP infer, data", "/v2/models/identity_fp32/infer", oipInput({ data: deepArray })],
    ["OIP infer, shape", "/v2/models/identity_fp32/infer", oipInput({ shape: deepArray })],
    ["OIP infer, name", "/v2/models/identity_fp32/infer", oipInput({ name: deepArray })],
    [
      "OIP infer, parameters",
      "/v2/models/identity_fp32/infer",
      `{"parameters":${deepObject},${oipInput({}).slice(1)}`,
    ],
    ["OIP infer, the whole body", "/v2/models/identity_fp32/infer", deepArray],
    ["OIP repository load, parameters", "/v2/repository/models/iris/load", `{"parameters":${deepObject}}`],
    ["KServe V1 :predict", "/v1/models/iris:predict", `{"instances":${deepArray}}`],
    [
      "TF-Serving :predict",
      "/v1/models/iris:predict",
      `{"signature_name":"serving_default","inputs":${deepArray}}`,
    ],
    ["Wallaroo records", "/pipelines/ccfraud", deepArray],
  ];
  for (const [name, path, body] of restCases) {
    it(`${name}: 400 {"error"} naming the nesting limit`, async () => {
      await probe(server, async () => {
        const answer = await post(server.port, path, body);
        expect(answer.status).toBe(400);
        expect(errorOf(answer)).toMatch(/nested deeper than 100 levels/);
      });
    });
  }

  it("Seldon v1 predictions: 400 in Seldon's status form naming the nesting limit", async () => {
    await probe(server, async () => {
      const answer = await post(server.port, "/api/v1.0/predictions", `{"data":{"ndarray":${deepArray}}}`);
      expect(answer.status).toBe(400);
      const status = (JSON.parse(answer.body) as { status: { info: string; reason: string } }).status;
      expect(status).toMatchObject({
        reason: "MICROSERVICE_BAD_DATA",
        info: expect.stringMatching(/nested deeper/),
      });
    });
  });

  it("Connect JSON (Seldon Predict, a google.protobuf.Value): invalid_argument at protobuf's depth 100", async () => {
    await probe(server, async () => {
      const answer = await post(
        server.port,
        "/seldon.protos.Seldon/Predict",
        `{"data":{"ndarray":${deepArray}}}`,
      );
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ code: "invalid_argument", message: /recursion depth/ });
    });
  });
});

describe.runIf(canServe)("abuse: large, garbage and truncated JSON bodies", () => {
  // 4 MiB rather than the default 64: a valid JSON request grows V8's heap by about ten times its
  // size, which it keeps as a high-water mark (16 MiB requests hold the server at 350-450 MiB).
  const limit = 4 * 1024 * 1024;
  let server: ServeProcess;
  beforeAll(async () => {
    server = await serve(["--zoo", "conformance", "--http-max-input-size", String(limit)]);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("a valid OIP request 1 KiB under the body limit (4 MiB of FP32 values) is answered", async () => {
    const count = Math.floor((limit - 1024) / 11);
    const data = Array.from({ length: count }, (_, i) => (i % 1000) / 1000 + 0.0001).map((v) => v.toFixed(7));
    let body = oipInput({ shape: `[1,${count}]`, data: `[${data.join(",")}]` });
    body = body.replace('"INPUT0"', `"INPUT0"${" ".repeat(limit - 1024 - Buffer.byteLength(body))}`);
    expect(Buffer.byteLength(body)).toBe(limit - 1024);
    // The first requests grow V8's heap, which keeps it for the next ones: the baseline is taken
    // after them, so the probe measures what one more request of this size leaves behind.
    for (let i = 0; i < 3; i++) {
      expect((await post(server.port, "/v2/models/identity_fp32/infer", body)).status).toBe(200);
    }
    await probe(server, async () => {
      const answer = await post(server.port, "/v2/models/identity_fp32/infer", body);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ outputs: [{ name: "OUTPUT0", shape: [1, count] }] });
    });
  });

  it("4 MiB of '[' (the body limit exactly): 400 naming the nesting limit, nothing built", async () => {
    await probe(server, async () => {
      const answer = await post(server.port, "/v2/models/identity_fp32/infer", Buffer.alloc(limit, "["));
      expect(answer.status).toBe(400);
      expect(errorOf(answer)).toMatch(/nested deeper than 100 levels/);
    });
  });

  it('a body one byte over the limit: 413 {"error"} from its Content-Length, before the body', async () => {
    await probe(server, async () => {
      // Only the headers are sent: the server answers from Content-Length and closes, and a client
      // still writing the body could see the reset before the answer.
      const answer = await new Promise<Answer>((resolve, reject) => {
        const req = http.request({
          host: "127.0.0.1",
          port: server.port,
          path: "/v2/models/identity_fp32/infer",
          method: "POST",
          agent: false,
          headers: { "content-type": "application/json", "content-length": String(limit + 1) },
        });
        req.setTimeout(60_000, () => req.destroy(new Error("no answer in 60 s")));
        req.on("response", (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
            req.destroy();
          });
        });
        req.on("error", reject);
        req.flushHeaders();
      });
      expect(answer.status).toBe(413);
      expect(errorOf(answer)).toBeTruthy();
    });
  });

  const garbage: [string, string][] = [
    ["truncated", oipInput({}).slice(0, -7)],
    ["garbage bytes", "\u0000\u00ff{]]:"],
    ["unterminated string", '{"inputs":[{"name":"INPUT0'],
    ["bare NaN", oipInput({ data: "[NaN]" })],
    ["two documents", `${oipInput({})}${oipInput({})}`],
  ];
  for (const [name, body] of garbage) {
    it(`${name}: 400 {"error"} saying the JSON is invalid`, async () => {
      await probe(server, async () => {
        const answer = await post(server.port, "/v2/models/identity_fp32/infer", body);
        expect(answer.status).toBe(400);
        expect(errorOf(answer)).toMatch(/invalid JSON/);
      });
    });
  }
});

describe.runIf(canServe)("abuse: model config files through the load API (explicit mode)", () => {
  let root: string;
  let server: ServeProcess;
  const model = async (name: string, config: string) => {
    await mkdir(join(root, name), { recursive: true });
    await writeFile(join(root, name, "config.yaml"), config);
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "tensorwire-abuse-documents-"));
    await model("echo", "runtime: echo\ninputs: [{name: INPUT0, datatype: FP32, shape: [-1, 1]}]\n");
    // 36 MB: parsed whole, a file this size takes the YAML parser past 4 GiB of heap.
    const line = 'k: [1, 2, "x"]\n';
    await model("huge", `runtime: echo\n${line.repeat(Math.ceil(36e6 / line.length))}`);
    let laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 10; i++) {
      const [prev, cur] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      laughs += `${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(",")}]\n`;
    }
    await model("laughs", laughs);
    // Under the 1 MiB limit, but 400,000 nested flow sequences.
    await model("deep", `${"[".repeat(400_000)}${"]".repeat(400_000)}`);
    // Under the limit, and seconds of parsing: the parser's duplicate-key check is quadratic.
    await model(
      "slow",
      `{runtime: echo, ${Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join(", ")}}`,
    );
    server = await serve(["--model-repository", root, "--model-control-mode", "explicit"]);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  const load = (name: string) => post(server.port, `/v2/repository/models/${name}/load`, "");

  it("a 36 MB config.yaml: 400 naming the file and the limit, before it is read", async () => {
    await probe(server, async () => {
      const answer = await load("huge");
      expect(answer.status).toBe(400);
      expect(errorOf(answer)).toMatch(
        /model 'huge' config\.yaml: the file is \d+ bytes, larger than the limit of 1048576 bytes \(--max-config-size\)/,
      );
    });
  });

  it("a billion-laughs config.yaml: 400 naming the alias limit", async () => {
    await probe(server, async () => {
      const answer = await load("laughs");
      expect(answer.status).toBe(400);
      expect(errorOf(answer)).toMatch(/model 'laughs' config\.yaml: Excessive alias count/);
    });
  });

  it("a config.yaml nested 400,000 levels deep: 400 from the parser's thread", async () => {
    await probe(server, async () => {
      const answer = await load("deep");
      expect(answer.status).toBe(400);
      expect(errorOf(answer)).toMatch(/model 'deep' config\.yaml: /);
    });
  });

  it("a config.yaml that takes seconds to parse: health keeps answering, then 400", async () => {
    await probe(server, async () => {
      // Its own watch, for this load alone: the parse takes seconds and the loop must stay free.
      const during = watchHealth(server.port);
      const answer = await load("slow");
      expect((await during.stop()).ok).toBeGreaterThan(5);
      expect(answer.status).toBe(400);
      expect(errorOf(answer)).toMatch(/model 'slow' config\.yaml: /);
    });
  });

  it("a load whose Triton config parameter (JSON in a string) is nested 100,000 levels: 400", async () => {
    await probe(server, async () => {
      const config = JSON.stringify(`{"name":${deepArray}}`);
      const answer = await post(
        server.port,
        "/v2/repository/models/echo/load",
        `{"parameters":{"config":${config}}}`,
      );
      expect(answer.status).toBe(400);
      expect(errorOf(answer)).toMatch(/parameter 'config': .*nested deeper than 100 levels/);
    });
  });

  it("after all of them, a good config still loads", async () => {
    await probe(server, async () => {
      expect((await load("echo")).status).toBe(200);
    });
  });
});
