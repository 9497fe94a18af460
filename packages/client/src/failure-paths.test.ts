import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type * as http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, startServer } from "@tensorwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogEntry } from "./client-options.js";
import { createOipClient } from "./create-oip-client.js";
import { inferInput } from "./infer-input.js";
import { InferenceError } from "./inference-error.js";
import { freePort, type SeenRequest, startScriptedServer } from "./testing/scripted-server.js";

function scripted(answer: (req: SeenRequest, res: http.ServerResponse, n: number) => void) {
  return startScriptedServer(answer);
}

const okBody = JSON.stringify({
  model_name: "m",
  outputs: [{ name: "y", datatype: "FP32", shape: [1], data: [1.5] }],
});
const input = inferInput("x", [1], "FP32", [1]);
const fast = { retryBaseMs: 5, retryMaxMs: 20 };

describe("connection refused", () => {
  it.each(["rest", "grpc"] as const)("should retry then fail with unavailable (%s)", async (protocol) => {
    const port = await freePort();
    const log: LogEntry[] = [];
    const client = createOipClient(`http://127.0.0.1:${port}`, {
      protocol,
      retries: 2,
      ...fast,
      logger: (e) => log.push(e),
    });
    const err = await client.infer("m", [input]).catch((e: unknown) => e);
    await client.close();
    expect(err).toBeInstanceOf(InferenceError);
    expect(err).toMatchObject({ code: "unavailable" });
    expect((err as Error).message).toMatch(protocol === "rest" ? /ECONNREFUSED/ : /ECONNREFUSED|connect/i);
    expect(log).toHaveLength(3);
    expect(log.slice(0, 2).every((e) => e.retryInMs !== undefined)).toBe(true);
    expect(log[2]?.retryInMs).toBeUndefined();
  });
});

describe("timeouts", () => {
  let silent: Awaited<ReturnType<typeof scripted>>;
  beforeAll(async () => {
    silent = await scripted(() => {
      // Never answers: the client's deadline must end the call.
    });
  });
  afterAll(() => silent.close());

  it("should fail with deadline_exceeded, not a server code, after the client's timeout", async () => {
    const client = createOipClient(silent.url, { timeoutMs: 150 });
    const started = Date.now();
    const err = await client.infer("m", [input]).catch((e: unknown) => e);
    await client.close();
    expect(err).toMatchObject({ code: "deadline_exceeded", status: undefined });
    expect((err as Error).message).toMatch(/no answer within 150 ms \(client timeout\)/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("should let a call's timeoutMs override the client's", async () => {
    const client = createOipClient(silent.url);
    const err = await client.isServerReady({ timeoutMs: 100 }).catch((e: unknown) => e);
    await client.close();
    expect(err).toMatchObject({ code: "deadline_exceeded" });
  });

  it("should report a caller's abort as cancelled", async () => {
    const client = createOipClient(silent.url);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await client.infer("m", [input], { signal: controller.signal }).catch((e: unknown) => e);
    await client.close();
    expect(err).toMatchObject({ code: "cancelled" });
  });
});

describe("error answers", () => {
  it("should retry 503 and 502 until success", async () => {
    const server = await scripted((_req, res, n) => {
      if (n <= 2) {
        res
          .writeHead(n === 1 ? 503 : 502, { "content-type": "application/json" })
          .end('{"error":"warming up"}');
      } else {
        res.writeHead(200, { "content-type": "application/json" }).end(okBody);
      }
    });
    const client = createOipClient(server.url, fast);
    const result = await client.infer("m", [input]);
    await client.close();
    await server.close();
    expect(Array.from(result.asTypedArray("y", "FP32"))).toEqual([1.5]);
    expect(server.seen).toHaveLength(3);
  });

  it("should give up on 503 after the retries with the server's status and message", async () => {
    const server = await scripted((_req, res) => {
      res
        .writeHead(503, { "content-type": "application/json", "x-request-id": "r-503" })
        .end('{"error":"busy"}');
    });
    const client = createOipClient(server.url, { ...fast, retries: 1 });
    const err = await client.infer("m", [input]).catch((e: unknown) => e);
    await client.close();
    await server.close();
    expect(err).toMatchObject({
      code: "unavailable",
      status: 503,
      serverMessage: "busy",
      requestId: "r-503",
    });
    expect(server.seen).toHaveLength(2);
  });

  it.each([
    [504, "deadline_exceeded"],
    [500, "internal"],
  ])("should not retry %i", async (status, code) => {
    const server = await scripted((_req, res) => {
      res.writeHead(status, { "content-type": "application/json" }).end('{"error":"upstream"}');
    });
    const client = createOipClient(server.url, fast);
    const err = await client.infer("m", [input]).catch((e: unknown) => e);
    await client.close();
    await server.close();
    expect(err).toMatchObject({ code, status, serverMessage: "upstream" });
    expect(server.seen).toHaveLength(1);
  });

  it("should surface a 400's message, status and request id", async () => {
    const server = await scripted((_req, res) => {
      res
        .writeHead(400, { "content-type": "application/json" })
        .end('{"error":"unexpected shape for input \'x\', expected [1,4], got [1]"}');
    });
    const client = createOipClient(server.url, fast);
    const err = (await client
      .infer("m", [input], { id: "my-id" })
      .catch((e: unknown) => e)) as InferenceError;
    await client.close();
    await server.close();
    expect(err).toBeInstanceOf(InferenceError);
    expect(err.code).toBe("invalid_argument");
    expect(err.status).toBe(400);
    expect(err.serverMessage).toBe("unexpected shape for input 'x', expected [1,4], got [1]");
    expect(err.requestId).toBe("my-id");
    expect(err.message).toMatch(/HTTP 400 from POST http:\/\/127\.0\.0\.1:\d+\/v2\/models\/m\/infer/);
  });

  it("should not repeat an inference whose connection broke after sending", async () => {
    const server = await scripted((_req, res) => {
      res.socket?.destroy();
    });
    const client = createOipClient(server.url, fast);
    const err = await client.infer("m", [input]).catch((e: unknown) => e);
    const health = await client.isServerLive().catch((e: unknown) => e);
    await client.close();
    await server.close();
    expect(err).toMatchObject({ code: "unavailable" });
    // One POST (not retried), then four GETs (retried: reading health twice does no harm).
    expect(server.seen).toHaveLength(5);
    expect(health).toMatchObject({ code: "unavailable" });
  });
});

describe("credentials and headers", () => {
  it.each([
    [{ kind: "bearer", token: "t0k" } as const, "authorization", "Bearer t0k"],
    [{ kind: "bearer", token: async () => "fresh" } as const, "authorization", "Bearer fresh"],
    [{ kind: "basic", username: "u", password: "p:w" } as const, "authorization", `Basic ${btoa("u:p:w")}`],
    [{ kind: "api-key", key: "k1" } as const, "authorization", "ApiKey k1"],
    [{ kind: "api-key", key: "k2", header: "X-Api-Key", scheme: "" } as const, "x-api-key", "k2"],
  ])("should send %j", async (auth, header, value) => {
    const server = await scripted((_req, res) => {
      res.writeHead(200).end();
    });
    const log: LogEntry[] = [];
    const client = createOipClient(server.url, {
      auth,
      headers: { "x-team": "a" },
      logger: (e) => log.push(e),
    });
    await client.isServerLive({ headers: { "x-call": "b" } });
    await client.close();
    await server.close();
    expect(server.seen[0]?.headers[header]).toBe(value);
    expect(server.seen[0]?.headers["x-team"]).toBe("a");
    expect(server.seen[0]?.headers["x-call"]).toBe("b");
    expect(log).toEqual([expect.objectContaining({ method: "GET", attempt: 1, status: 200 })]);
    expect(JSON.stringify(log)).not.toContain(value);
  });
});

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"]);
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)("TLS with a self-signed certificate", () => {
  let dir: string;
  let server: RunningServer;
  let cert: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tensorwire-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    cert = readFileSync(join(dir, "cert.pem"), "utf8");
    server = await startServer({
      port: 0,
      host: "127.0.0.1",
      tls: { cert, key: readFileSync(join(dir, "key.pem")) },
    });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(["rest", "grpc", "connect"] as const)(
    "should refuse an unknown certificate without retrying (%s)",
    async (protocol) => {
      const log: LogEntry[] = [];
      const client = createOipClient(server.url, { protocol, logger: (e) => log.push(e), ...fast });
      const err = await client.isServerLive().catch((e: unknown) => e);
      await client.close();
      expect(err).toMatchObject({ code: "unavailable" });
      expect((err as Error).message).toMatch(/self.signed|certificate/i);
      // One attempt, logged, and no retry: a certificate does not get better by asking again.
      expect(log).toHaveLength(1);
      expect(log[0]?.retryInMs).toBeUndefined();
    },
  );

  it.each([
    ["rest", false],
    ["rest", true],
    ["grpc", false],
    ["connect", false],
    ["grpc-web", true],
  ] as const)("should trust the CA it is given (%s, http2 %s)", async (protocol, http2) => {
    const client = createOipClient(server.url, { protocol, http2, tls: { ca: cert } });
    const result = await client.infer("identity_fp32", [inferInput("INPUT0", [1, 2], "FP32", [1, 2])]);
    await client.close();
    expect(Array.from(result.asTypedArray("OUTPUT0", "FP32"))).toEqual([1, 2]);
  });

  it("should accept any certificate with verify off", async () => {
    const client = createOipClient(server.url, { tls: { verify: false } });
    expect(await client.isServerReady()).toBe(true);
    await client.close();
  });
});

describe("a deeply nested answer", () => {
  let deep: Awaited<ReturnType<typeof scripted>>;
  beforeAll(async () => {
    const data = `${"[".repeat(1_000_000)}1.5${"]".repeat(1_000_000)}`;
    deep = await scripted((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`{"model_name":"m","outputs":[{"name":"y","datatype":"FP32","shape":[1],"data":${data}}]}`);
    });
  });
  afterAll(() => deep.close());

  it("should fail with the JSON nesting limit, not a stack overflow", async () => {
    const client = createOipClient(deep.url, { retries: 0 });
    const err = await client.infer("m", [input]).catch((e: unknown) => e);
    await client.close();
    expect(err).not.toBeInstanceOf(RangeError);
    expect((err as Error).message).toMatch(/nested deeper than 100 levels/);
  });
});
