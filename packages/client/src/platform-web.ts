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

function urlOf(input: Parameters<typeof fetch>[0]): string {
  return typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
}

/**
 * Why fetch gave no answer, as far as a page can know. A browser rejects fetch with a bare
 * TypeError both when the network failed and when CORS withheld the answer (the Fetch standard's
 * "network error", kept opaque on purpose), so the message names both, and how to allow a page's
 * origin; on the page's own origin CORS does not apply and only the network is left.
 */
export function noAnswerMessage(url: string, err: TypeError): string {
  const target = new URL(url).origin;
  const page = (globalThis as { location?: { origin?: string } }).location?.origin;
  if (page === target) {
    return `no answer from ${target}: the network failed (the browser says "${err.message}")`;
  }
  const origin = page ?? "the page's origin";
  return (
    `no answer from ${target}: CORS or the network blocked the request (the browser says "${err.message}" for both). ` +
    `If the server is up, it must allow requests from ${origin}: a tensorwire server with --cors-origin ${page ?? "<origin>"}`
  );
}

/**
 * fetch whose failures before an answer are a `TransportFailure` of kind "connect" with
 * `noAnswerMessage`: retried within the client's `retries` (a server that is restarting looks the
 * same), then reported as `unavailable`. A caller's abort passes through unchanged.
 */
export function explainedFetch(
  fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init),
): typeof fetch {
  return async (input, init) => {
    try {
      return await fetchImpl(input, init);
    } catch (err) {
      if (init?.signal?.aborted === true || !(err instanceof TypeError)) {
        throw err;
      }
      throw new TransportFailure("connect", noAnswerMessage(urlOf(input), err), { cause: err });
    }
  };
}

export function createPlatformHttpClient(_options: Pick<ClientOptions, "http2" | "tls">): HttpClient {
  const fetchExplained = explainedFetch();
  return {
    async request(req) {
      const res = await fetchExplained(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body === undefined ? null : joinChunks(req.body),
        signal: req.signal,
      });
      try {
        return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
      } catch (err) {
        if (req.signal.aborted) {
          throw err;
        }
        // The answer had begun, so the server saw the request: not safe to repeat blindly.
        throw new TransportFailure("transfer", classifyTransportError(err).message, { cause: err });
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
  const common = { baseUrl, useBinaryFormat: true, fetch: explainedFetch() };
  return {
    transport: protocol === "connect" ? createConnectTransport(common) : createGrpcWebTransport(common),
    close: () => {},
  };
}

export async function readFileBytes(_path: string): Promise<Uint8Array> {
  throw new InferenceError("unimplemented", "reading files needs Node: pass the file's bytes instead");
}
