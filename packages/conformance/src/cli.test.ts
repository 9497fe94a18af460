import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReferenceServer, startReferenceServer } from "./testing/reference-server.js";

/** The built command (bin/conformance.js → dist/cli.js), run as a user runs it. */
const bin = fileURLToPath(new URL("../bin/conformance.js", import.meta.url));

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** One line on stderr, no stack trace. */
function expectOneLine(stderr: string, text: string): void {
  expect(stderr.trimEnd().split("\n"), stderr).toHaveLength(1);
  expect(stderr).toContain(text);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe("tensorwire conformance (the built command)", () => {
  const servers: ReferenceServer[] = [];
  let http1: Server;
  let http1Port: number;
  let closedPort: number;

  beforeAll(async () => {
    http1 = createServer((_req, res) => res.end("not gRPC"));
    await new Promise<void>((resolve) => http1.listen(0, "127.0.0.1", resolve));
    http1Port = (http1.address() as AddressInfo).port;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await new Promise((resolve) => http1.close(resolve));
  });

  async function reference(fault?: Parameters<typeof startReferenceServer>[0]) {
    const server = await startReferenceServer(fault);
    servers.push(server);
    return server;
  }

  it("should print a help that names the program once and lists every flag", async () => {
    const { code, stdout } = await cli(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: tensorwire conformance --url URL/);
    const usage = stdout.slice(0, stdout.indexOf("\n\n"));
    for (const flag of [
      "--url",
      "--grpc",
      "--suite",
      "--only",
      "--mode",
      "--known-failing",
      "--require-models",
      "--require-suites",
      "--max-skipped",
      "--report",
      "--output",
      "--cases",
    ]) {
      expect(usage, flag).toContain(flag);
    }
    for (const status of ["0", "1", "2", "3", "4"]) {
      expect(stdout).toMatch(new RegExp(`^  ${status}  `, "m"));
    }
  });

  it("should exit 2 with one line for a usage error", async () => {
    const { code, stderr } = await cli(["--grpc", "127.0.0.1:1"]);
    expect(code).toBe(2);
    expectOneLine(stderr, "--url is required; see tensorwire conformance --help");
  });

  it("should exit 4 with one line when --url does not answer", async () => {
    const { code, stderr } = await cli(["--url", `http://127.0.0.1:${closedPort}`]);
    expect(code).toBe(4);
    expectOneLine(stderr, "connection refused (ECONNREFUSED); check --url");
  });

  it("should exit 4 with one line when --grpc is an HTTP/1.1 port", async () => {
    const server = await reference();
    const { code, stderr } = await cli(["--url", server.url, "--grpc", `127.0.0.1:${http1Port}`]);
    expect(code).toBe(4);
    expectOneLine(stderr, "check that --grpc is the server's gRPC (HTTP/2) port");
  });

  it("should exit 0 against a conforming server", async () => {
    const server = await reference();
    const { code, stdout } = await cli(["--url", server.url, "--grpc", server.grpcAddress]);
    expect(code, stdout).toBe(0);
    expect(stdout).toContain("Result: OK (exit 0)");
  });

  it("should exit 1 when a MUST case fails", async () => {
    const server = await reference("rest-version-wrong");
    const { code, stdout } = await cli(["--url", server.url, "--suite", "oip-rest-core"]);
    expect(code).toBe(1);
    expect(stdout).toContain("FAILED: oip-rest-core/infer/model-version [MUST]: ");
  });

  it("should exit 3 with a one-line reason when the server serves no models", async () => {
    const server = await reference("no-models");
    const { code, stdout, stderr } = await cli([
      "--url",
      server.url,
      "--grpc",
      server.grpcAddress,
      "--report",
      "json",
    ]);
    expect(code).toBe(3);
    expectOneLine(stderr, "INCOMPLETE (exit 3): the server serves none of the 15 models");
    expect(JSON.parse(stdout).exitCode).toBe(3);
  });

  it("should exit 3 when a required model is missing, though every case passed", async () => {
    const server = await reference();
    const { code, stdout } = await cli([
      "--url",
      server.url,
      "--suite",
      "oip-rest-core",
      "--only",
      "health/",
      "--require-models",
      "no_such_model",
    ]);
    expect(code).toBe(3);
    expect(stdout).toContain(
      "required model 'no_such_model' (REST): the server has no model 'no_such_model'",
    );
  });
});
