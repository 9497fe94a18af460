import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./start-server.js";

/**
 * Peer test: Triton's own Python client (tritonclient 2.73.0, HTTP and gRPC) against the in-process
 * server. scripts/python-venv.sh builds the pinned virtual environment in <repo>/.venv/tritonclient
 * (pip, from PyPI) on first run; the checks live in
 * test/peer/tritonclient_peer.py, one per `it` below.
 */

const run = promisify(execFile);
const peer = new URL("../../test/peer/", import.meta.url);
const setup = fileURLToPath(new URL("../../../../scripts/python-venv.sh", import.meta.url));
const script = fileURLToPath(new URL("tritonclient_peer.py", peer));
const python = fileURLToPath(new URL("../../../../.venv/tritonclient/bin/python", import.meta.url));

function hasPython(): boolean {
  try {
    execFileSync("python3", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const available = hasPython();
if (!available) {
  console.log("skipping the tritonclient peer test: python3 is not installed");
}

const checks = [
  "http_seldon_example",
  "http_health_and_metadata",
  "http_json_data",
  "http_binary_data",
  "http_binary_bytes",
  "http_binary_fp16",
  "http_seldon_header",
  "http_errors",
  "http_statistics_and_repository",
  "grpc_health_and_metadata",
  "grpc_seldon_example",
  "grpc_raw_contents",
  "grpc_bytes",
  "grpc_errors",
  "grpc_stream",
  "grpc_statistics_and_repository",
];

describe.skipIf(!available)("tritonclient (Python) peer", () => {
  let server: RunningServer;
  let report: { passed: string[]; failed: Record<string, string> };
  let output = "";

  beforeAll(async () => {
    // Installing the environment the first time downloads ~60 MB of wheels.
    await run("bash", [setup, "tritonclient"], { timeout: 600_000 });
    expect(existsSync(python)).toBe(true);
    server = await startServer();
    const { stdout } = await run(python, [script, server.address], { timeout: 120_000 });
    output = stdout;
    const last = stdout.trim().split("\n").at(-1) ?? "{}";
    report = JSON.parse(last);
  }, 720_000);
  afterAll(() => server?.close());

  it("should run every check", () => {
    expect([...report.passed, ...Object.keys(report.failed)].sort()).toEqual([...checks].sort());
  });

  it("should print the result of Seldon's tritonclient example", () => {
    expect(output).toContain("result is: [2]");
  });

  it.each(checks)("%s", (name) => {
    expect(report.failed[name], report.failed[name]).toBeUndefined();
    expect(report.passed).toContain(name);
  });
});
