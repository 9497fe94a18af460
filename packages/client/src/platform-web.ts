import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import type { ClientOptions } from "./client-options.js";
import { classifyTransportError, type HttpClient, TransportFailure } from "./http-client.js";
import { InferenceError } from "./inference-error.js";

/**
 * The browser's side of the platform seam (see platform-node.ts): fetch for REST, connect-web for
 * Connect and gRPC-Web. The browser owns TLS, HTTP version and connection reuse, so those options
 * have no effect here.
 */

function joinChunks(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

export function createPlatformHttpClient(_options: Pick<ClientOptions, "http2" | "tls">): HttpClient {
  return {
    async request(req) {
      let res: Response;
      try {
        res = await fetch(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body === undefined ? null : joinChunks(req.body),
          signal: req.signal,
        });
        return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
      } catch (err) {
        if (req.signal.aborted) {
          throw err;
        }
        // fetch hides why a request failed; a TypeError before any answer is a connection failure.
        const failure = classifyTransportError(err);
        throw err instanceof TypeError && failure.kind === "transfer"
          ? new TransportFailure("connect", failure.message, { cause: err })
          : failure;
      }
    },
    close: async () => {},
  };
}

export type ConnectProtocol = "grpc" | "connect" | "grpc-web";

export function createPlatformTransport(
  protocol: ConnectProtocol,
  baseUrl: string,
  _options: Pick<ClientOptions, "http2" | "tls">,
): { transport: Transport; close(): void } {
  if (protocol === "grpc") {
    throw new InferenceError("unimplemented", "browsers cannot speak gRPC: use grpc-web or connect");
  }
  const common = { baseUrl, useBinaryFormat: true };
  return {
    transport: protocol === "connect" ? createConnectTransport(common) : createGrpcWebTransport(common),
    close: () => {},
  };
}

export async function readFileBytes(_path: string): Promise<Uint8Array> {
  throw new InferenceError("unimplemented", "reading files needs Node: pass the file's bytes instead");
}
