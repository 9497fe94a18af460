import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as http2 from "node:http2";
import * as https from "node:https";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { GRPCInferenceService } from "@tensorwire/proto/oip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodeHandlerFn } from "../http/node-types.js";
import { type Listener, listen } from "./listen.js";

/** Answers with the protocol the request arrived on, so each test can see which server took it. */
const echoVersion: NodeHandlerFn = (req, res) => {
  req.resume();
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(`HTTP/${req.httpVersion} ${req.method} ${req.url}`);
};

/** Sends raw bytes, in pieces with pauses between them, and returns everything the server wrote back. */
function rawExchange(port: number, pieces: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let out = "";
    socket.setEncoding("latin1");
    socket.on("data", (c: string) => {
      out += c;
      if (out.includes("\r\n\r\n") && out.includes("HTTP/1.1 POST")) {
        socket.end();
      }
    });
    socket.on("close", () => resolve(out));
    socket.on("error", reject);
    (async () => {
      for (const piece of pieces) {
        socket.write(piece);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
  });
}

function h2Get(url: string, path: string, options: http2.SecureClientSessionOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, options);
    session.on("error", reject);
    const stream = session.request({ ":path": path });
    let body = "";
    stream.setEncoding("utf8");
    stream.on("data", (c: string) => {
      body += c;
    });
    stream.on("end", () => {
      session.close();
      resolve(body);
    });
    stream.on("error", reject);
  });
}

describe("listen() cleartext", () => {
  let listener: Listener;
  beforeAll(async () => {
    listener = await listen(echoVersion, { port: 0, host: "127.0.0.1" });
  });
  afterAll(() => listener.close());

  it("should report the port it bound", () => {
    expect(listener.port).toBeGreaterThan(0);
    expect(listener.secure).toBe(false);
  });

  it("should hand HTTP/1.1 to the HTTP/1.1 server", async () => {
    const res = await fetch(`http://127.0.0.1:${listener.port}/a?b`);
    expect(await res.text()).toBe("HTTP/1.1 GET /a?b");
  });

  it("should hand prior-knowledge HTTP/2 to the HTTP/2 server", async () => {
    expect(await h2Get(`http://127.0.0.1:${listener.port}`, "/x")).toBe("HTTP/2.0 GET /x");
  });

  it("should decide correctly when the first bytes arrive one at a time", async () => {
    const request = "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    const out = await rawExchange(listener.port, ["P", "O", request.slice(2)]);
    expect(out).toContain("HTTP/1.1 200 OK");
    expect(out).toContain("HTTP/1.1 POST /slow");
  });
});

describe("listen() close", () => {
  it("should close with idle keep-alive and HTTP/2 connections open", async () => {
    const listener = await listen(echoVersion, { port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${listener.port}`;
    await fetch(url);
    const session = http2.connect(url);
    await new Promise<void>((resolve) => session.once("connect", () => resolve()));
    const started = Date.now();
    await listener.close(2000);
    expect(Date.now() - started).toBeLessThan(1500);
    session.destroy();
  });

  it("should refuse a port in use", async () => {
    const listener = await listen(echoVersion, { port: 0, host: "127.0.0.1" });
    try {
      await expect(listen(echoVersion, { port: listener.port, host: "127.0.0.1" })).rejects.toThrow(
        /EADDRINUSE/,
      );
    } finally {
      await listener.close();
    }
  });
});

/** A throwaway self-signed certificate for 127.0.0.1; undefined without openssl. */
function selfSigned(): { cert: Buffer; key: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), "tensorwire-tls-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
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
    return { cert: readFileSync(join(dir, "cert.pem")), key: readFileSync(join(dir, "key.pem")) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tls = selfSigned();

describe.skipIf(tls === undefined)("listen() with TLS", () => {
  let listener: Listener;
  beforeAll(async () => {
    listener = await listen(echoVersion, { port: 0, host: "127.0.0.1", tls });
  });
  afterAll(() => listener.close());

  it("should serve HTTP/1.1 over TLS (ALPN http/1.1)", async () => {
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`https://127.0.0.1:${listener.port}/t`, { ca: tls?.cert }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            text += c;
          });
          res.on("end", () => resolve(text));
        })
        .on("error", reject);
    });
    expect(body).toBe("HTTP/1.1 GET /t");
  });

  it("should serve HTTP/2 over TLS (ALPN h2)", async () => {
    expect(listener.secure).toBe(true);
    expect(await h2Get(`https://127.0.0.1:${listener.port}`, "/t", { ca: tls?.cert })).toBe(
      "HTTP/2.0 GET /t",
    );
  });
});

describe.skipIf(tls === undefined)("startServer() with TLS", () => {
  it("should serve gRPC over TLS", async () => {
    const { startServer } = await import("./start-server.js");
    const server = await startServer({ models: [], tls });
    try {
      expect(server.url).toMatch(/^https:/);
      const client = createClient(
        GRPCInferenceService,
        createGrpcTransport({ baseUrl: server.url, nodeOptions: { ca: tls?.cert } }),
      );
      expect((await client.serverLive({})).live).toBe(true);
    } finally {
      await server.close();
    }
  });
});
