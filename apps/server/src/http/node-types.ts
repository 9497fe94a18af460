import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type { connectNodeAdapter } from "@connectrpc/connect-node";

// connect-node 2.2 does not export these from its entry point; derived from the adapter so they
// stay in step with it.

/** A request listener for `http.Server`, `http2.Server` and `http2.Http2SecureServer` alike. */
export type NodeHandlerFn = ReturnType<typeof connectNodeAdapter>;
/** `http.IncomingMessage` or `http2.Http2ServerRequest`. */
export type NodeServerRequest = Parameters<NodeHandlerFn>[0];
/** `http.ServerResponse` or `http2.Http2ServerResponse`. */
export type NodeServerResponse = Parameters<NodeHandlerFn>[1];

/**
 * Sees an HTTP/2 stream before the request handler does and returns true for the ones it answers
 * itself (the fast gRPC path); the others reach the handler unchanged.
 */
export type StreamHandler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean;
