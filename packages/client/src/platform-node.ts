import { readFile } from "node:fs/promises";
import type { Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { Agent, request } from "undici";
import type { ClientOptions, TlsOptions } from "./client-options.js";
import { classifyTransportError, type HttpClient } from "./http-client.js";

/**
 * Node's side of the platform seam (package.json `imports` maps `#platform` here, and to
 * platform-web.ts for browsers): undici for REST, connect-node for gRPC, Connect and gRPC-Web.
 */

function tlsConnectOptions(tls: TlsOptions) {
  return {
    ...(tls.ca === undefined ? {} : { ca: toPem(tls.ca) }),
    ...(tls.cert === undefined ? {} : { cert: toPem(tls.cert) }),
    ...(tls.key === undefined ? {} : { key: toPem(tls.key) }),
    rejectUnauthorized: tls.verify ?? true,
  };
}

function toPem(value: string | Uint8Array): string | Buffer {
  return typeof value === "string" ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** undici with keep-alive (its default); HTTP/2 only when asked, by ALPN on https and h2c on http. */
export function createPlatformHttpClient(options: Pick<ClientOptions, "http2" | "tls">): HttpClient {
  // `useH2c` (HTTP/2 by prior knowledge on http URLs) is read by undici's Pool but missing from its
  // Agent typings, hence the variable instead of an object literal.
  const agentOptions = {
    allowH2: options.http2,
    useH2c: options.http2,
    connect: tlsConnectOptions(options.tls),
  };
  const agent = new Agent(agentOptions);
  return {
    async request(req) {
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(req.url, {
          method: req.method,
          headers: Object.fromEntries(req.headers),
          body: req.body === undefined ? null : req.body.length === 1 ? req.body[0] : Buffer.concat(req.body),
          signal: req.signal,
          dispatcher: agent,
        });
      } catch (err) {
        if (req.signal.aborted) {
          throw err;
        }
        throw classifyTransportError(err);
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) {
          headers.set(name, Array.isArray(value) ? value.join(", ") : value);
        }
      }
      let body: Uint8Array;
      try {
        body = new Uint8Array(await res.body.arrayBuffer());
      } catch (err) {
        if (req.signal.aborted) {
          throw err;
        }
        throw classifyTransportError(err);
      }
      return { status: res.statusCode, headers, body };
    },
    close: () => agent.close(),
  };
}

export type ConnectProtocol = "grpc" | "connect" | "grpc-web";

/** A Connect transport and a way to close its connection (HTTP/2 sessions otherwise linger). */
export function createPlatformTransport(
  protocol: ConnectProtocol,
  baseUrl: string,
  options: Pick<ClientOptions, "http2" | "tls">,
): { transport: Transport; close(): void } {
  const nodeOptions = baseUrl.startsWith("https:") ? tlsConnectOptions(options.tls) : {};
  // Binary protobuf everywhere: JSON would turn raw tensor bytes into base64.
  if (protocol === "grpc" || options.http2) {
    const sessionManager = new Http2SessionManager(baseUrl, {}, nodeOptions);
    const common = { baseUrl, httpVersion: "2" as const, sessionManager, useBinaryFormat: true };
    const transport =
      protocol === "grpc"
        ? createGrpcTransport(common)
        : protocol === "connect"
          ? createConnectTransport(common)
          : createGrpcWebTransport(common);
    return { transport, close: () => sessionManager.abort() };
  }
  const common = { baseUrl, httpVersion: "1.1" as const, nodeOptions, useBinaryFormat: true };
  const transport = protocol === "connect" ? createConnectTransport(common) : createGrpcWebTransport(common);
  return { transport, close: () => {} };
}

/** Reads a whole file (for `inferFromFile`). */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path));
}
