import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../apps/server/bin/tensorwire.js", import.meta.url));
const run = promisify(execFile);

/** `tensorwire serve` as a user runs it (built dist, a child process), then the suite's CLI against it. */
describe("the tensorwire command", () => {
  let server: ChildProcess;
  let url: string;
  beforeAll(async () => {
    server = spawn(
      process.execPath,
      [bin, "serve", "--port", "0", "--host", "127.0.0.1", "--log-level", "silent"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    url = await new Promise<string>((resolve, reject) => {
      let out = "";
      server.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1] as string);
      });
      server.on("exit", (code) => reject(new Error(`tensorwire serve exited with ${code}: ${out}`)));
    });
  });
  afterAll(async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
  });

  it("should serve the iris request of Seldon's inference docs", async () => {
    const res = await fetch(`${url}/v2/models/iris/infer`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "seldon-model": "iris" },
      body: '{"inputs": [{"name": "predict", "shape": [1, 4], "datatype": "FP32", "data": [[1, 2, 3, 4]]}]}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("should pass the OIP REST core suite run by `tensorwire conformance`", async () => {
    const { stdout } = await run(
      process.execPath,
      [bin, "conformance", "--url", url, "--suite", "oip-rest-core", "--report", "json"],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const report = JSON.parse(stdout) as { results: { status: string; level: string }[] };
    const passed = report.results.filter((r) => r.status === "passed").length;
    expect(passed).toBeGreaterThan(100);
    expect(report.results.filter((r) => r.status === "failed" && r.level !== "MAY")).toEqual([]);
    // The default zoo serves every model the core suite needs, mixed_outputs included.
    expect(report.results.filter((r) => r.status === "skipped")).toEqual([]);
  });
});
