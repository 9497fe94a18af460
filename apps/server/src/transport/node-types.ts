import type { connectNodeAdapter } from "@connectrpc/connect-node";

// connect-node 2.2 does not export these from its entry point; derived from the adapter so they
// stay in step with it.

/** A request listener for `http.Server`, `http2.Server` and `http2.Http2SecureServer` alike. */
export type NodeHandlerFn = ReturnType<typeof connectNodeAdapter>;
/** `http.IncomingMessage` or `http2.Http2ServerRequest`. */
export type NodeServerRequest = Parameters<NodeHandlerFn>[0];
/** `http.ServerResponse` or `http2.Http2ServerResponse`. */
export type NodeServerResponse = Parameters<NodeHandlerFn>[1];
