import { cors as connectCors } from "@connectrpc/connect";
import cors from "cors";
import type { NodeHandlerFn, NodeServerRequest } from "./node-types.js";

/** Cross-origin access for pages in browsers (CORS), off unless origins are given. */
export interface CorsOptions {
  /**
   * The origins whose pages may call the server from a browser, e.g. `https://app.example.com`
   * (scheme, host and port as the browser sends them in `Origin`), or `["*"]` for any page, meant for
   * development. With explicit origins, pages may send credentials (cookies, HTTP authentication);
   * with `*` they may not. Preflight requests (`OPTIONS`) are answered for every REST path, Connect
   * and gRPC-Web. Default: none, so browsers block pages of other origins.
   */
  readonly corsOrigins: readonly string[] | undefined;
}

/**
 * Request headers a page may send beyond the CORS-safelisted ones: connect's list for Connect and
 * gRPC-Web (`cors.allowedHeaders` of @connectrpc/connect), and what the REST dialects read: Triton's
 * binary data header, credentials, Seldon's routing header, the request id and compressed bodies.
 * Other `x-` headers are allowed when a preflight asks for them, since every answer echoes them.
 */
const allowedHeaders: readonly string[] = [
  ...connectCors.allowedHeaders,
  "Inference-Header-Content-Length",
  "Authorization",
  "X-API-Key",
  "Seldon-Model",
  "Seldon-Puid",
  "X-Request-Id",
  "Content-Encoding",
];

/**
 * Response headers a page may read: connect's list (`grpc-status` and `grpc-message` carry gRPC-Web
 * errors), the request id, Triton's binary data header (a binary answer cannot be split without it),
 * and the content type (safelisted, listed for older browsers). The request's own `x-` headers are
 * exposed too, since the answer echoes them.
 */
const exposedHeaders: readonly string[] = [
  ...connectCors.exposedHeaders,
  "X-Request-Id",
  "Inference-Header-Content-Length",
  "Content-Type",
];

/** The methods of Connect (`POST`, `GET`) and of the REST routes (`HEAD` on some). */
const allowedMethods: readonly string[] = [...connectCors.allowedMethods, "HEAD"];

/** How long a browser may reuse a preflight's answer, in seconds (Chromium's own upper limit). */
const preflightMaxAgeSecs = 7200;

/**
 * What is wrong with `origin` as a CORS origin, or undefined when it is `*` or a serialized origin
 * (`https://host[:port]`, no path, as a browser sends it in `Origin`).
 */
export function corsOriginProblem(origin: string): string | undefined {
  if (origin === "*") {
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return `expected "*" or an origin such as https://app.example.com, got '${origin}'`;
  }
  if (parsed.origin !== origin) {
    const guess = parsed.origin === "null" ? "" : ` (did you mean ${parsed.origin}?)`;
    return `expected an origin as browsers send it (scheme://host[:port], no path or trailing slash), got '${origin}'${guess}`;
  }
  return undefined;
}

/**
 * Wraps `handler` so that browsers let pages of `origins` call it: preflights (`OPTIONS`) get a
 * 204 with the allowed methods and headers, every answer to an allowed origin gets
 * `Access-Control-Allow-Origin` and the exposed headers. Throws when an origin is malformed, or `*`
 * is given with others.
 */
export function withCors(handler: NodeHandlerFn, origins: readonly string[]): NodeHandlerFn {
  for (const origin of origins) {
    const problem = corsOriginProblem(origin);
    if (problem !== undefined) {
      throw new Error(`corsOrigins: ${problem}`);
    }
  }
  const anyOrigin = origins.includes("*");
  if (anyOrigin && origins.length > 1) {
    throw new Error(`corsOrigins: "*" allows every origin; give it alone, got ${origins.join(", ")}`);
  }
  const base: cors.CorsOptions = {
    origin: anyOrigin ? "*" : [...origins],
    credentials: !anyOrigin,
    methods: [...allowedMethods],
    maxAge: preflightMaxAgeSecs,
  };
  const middleware = cors((req, callback) => {
    const extra = echoedHeaderNames(req as NodeServerRequest);
    callback(null, {
      ...base,
      allowedHeaders: unique([...allowedHeaders, ...extra]),
      exposedHeaders: unique([...exposedHeaders, ...extra]),
    });
  });
  return (req, res) => {
    middleware(req as cors.CorsRequest, res as never, () => handler(req, res));
  };
}

/** The `x-` headers a request carries or (in a preflight) asks to send: the answer echoes them. */
function echoedHeaderNames(req: NodeServerRequest): string[] {
  const requested = req.headers["access-control-request-headers"];
  const names = new Set<string>();
  for (const name of typeof requested === "string" ? requested.split(",") : []) {
    names.add(name.trim().toLowerCase());
  }
  for (const name in req.headers) {
    names.add(name);
  }
  return [...names].filter((name) => name.startsWith("x-"));
}

/** Header names once each, compared without case, the first spelling kept. */
function unique(names: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (!byKey.has(key)) {
      byKey.set(key, name);
    }
  }
  return [...byKey.values()];
}
