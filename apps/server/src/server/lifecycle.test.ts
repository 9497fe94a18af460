import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./start-server.js";

const bin = fileURLToPath(new URL("../../bin/tensorwire.js", import.meta.url));
const built = existsSync(fileURLToPath(new URL("../../dist/server/cli.js", import.meta.url)));
// The Node 24 the repository installs; the machine's own may be older.
const node24 = fileURLToPath(new URL("../../../../node_modules/.bin/node", import.meta.url));

let repo: string;
beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "tensorwire-lifecycle-"));
  const model = (name: string, config: string) => {
    mkdirSync(join(repo, name), { recursive: true });
    writeFileSync(join(repo, name, "config.yaml"), config);
  };
  const echo =
    "runtime: echo\ninputs: [{name: INPUT0, datatype: FP32, shape: [-1, -1]}]\nrename: {INPUT0: OUTPUT0}\n";
  model("slow", `${echo}latency: {ms: 400}\n`);
  model("fast", echo);
  model("other", echo);
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

const body = JSON.stringify({ inputs: [{ name: "INPUT0", shape: [1, 2], datatype: "FP32", data: [1, 2] }] });

/** POSTs on a fresh connection; resolves with the status, or "refused"/"reset" when none came. */
function infer(port: number, model: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: `/v2/models/${model}/infer`, method: "POST", agent: false },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode as number));
      },
    );
    req.on("error", (err: NodeJS.ErrnoException) =>
      resolve(err.code === "ECONNREFUSED" ? "refused" : "reset"),
    );
    req.end(body);
  });
}

describe.skipIf(!built || !existsSync(node24))("tensorwire serve on SIGTERM", () => {
  it("should answer every accepted request, refuse new ones and exit 0", async () => {
    const child: ChildProcess = spawn(
      node24,
      [
        bin,
        "serve",
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--model-repository",
        repo,
        "--drain-timeout-secs",
        "5",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /listening on http:\/\/[\d.]+:(\d+)/.exec(out);
        if (m) {
          resolve(Number(m[1]));
        }
      });
      child.once("exit", (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const draining = new Promise<void>((resolve) =>
      child.stderr?.on("data", (c: Buffer) => {
        if (c.toString().includes("draining")) {
          resolve();
        }
      }),
    );
    const inFlight = Array.from({ length: 8 }, () => infer(port, "slow"));
    // The requests are accepted (read, and waiting on the 400 ms model) before the signal: a
    // request sent after them, on a connection of its own, is answered only once the server has
    // read the sockets that were readable before its own.
    expect(await infer(port, "fast")).toBe(200);
    child.kill("SIGTERM");
    await draining;
    const late = await infer(port, "fast");
    expect(await Promise.all(inFlight)).toEqual(Array(8).fill(200));
    expect(late).toBe("refused");
    expect(await exited).toBe(0);
  });
});

describe("startServer close()", () => {
  it("should turn readiness false at once and still answer the request in flight", async () => {
    const server = await startServer({ repository: repo, logLevel: "silent" });
    const inFlight = infer(server.port, "slow");
    expect(await infer(server.port, "fast")).toBe(200);
    expect(server.dataPlane.serverReady()).toBe(true);
    const closed = server.close();
    expect(server.dataPlane.serverReady()).toBe(false);
    expect(await inFlight).toBe(200);
    await closed;
  });
});

describe("load and unload under traffic", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      repository: repo,
      controlMode: "explicit",
      loadModels: ["fast", "other"],
      logLevel: "silent",
      inferenceWorkers: 1,
    });
  });
  afterAll(() => server.close());

  it("should not fail requests to other models while a model loads and unloads", async () => {
    let stop = false;
    const statuses: (number | string)[] = [];
    const traffic = (async () => {
      while (!stop) {
        statuses.push(...(await Promise.all([infer(server.port, "fast"), infer(server.port, "fast")])));
      }
    })();
    const post = (path: string) =>
      fetch(`${server.url}${path}`, { method: "POST", body: "{}" }).then((r) => r.status);
    for (let i = 0; i < 5; i++) {
      expect(await post("/v2/repository/models/other/unload")).toBe(200);
      expect(await post("/v2/repository/models/slow/load")).toBe(200);
      expect(await post("/v2/repository/models/other/load")).toBe(200);
      expect(await post("/v2/repository/models/slow/unload")).toBe(200);
    }
    stop = true;
    await traffic;
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it("should report ready only while every wanted model is loaded", async () => {
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
  });
});
