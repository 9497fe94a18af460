import type { OutgoingHttpHeaders } from "node:http";
import { type JsonValue, parseJsonText, stringifyJsonText, TensorwireError } from "@tensorwire/codec";
import { type Authorize, authChallenge } from "../auth/authorize.js";
import type { NodeServerRequest, NodeServerResponse } from "../transport/node-types.js";
import { prepareErrorResponse } from "../transport/rest/prepare-error-response.js";
import { readBody } from "../transport/rest/read-body.js";
import { echoedHeaders, header } from "../transport/rest/request-headers.js";
import type { Dialect, RestDialect, RestRoute } from "./dialect.js";

/** One REST request as a dialect route sees it. */
export interface RestCall {
  readonly req: NodeServerRequest;
  readonly res: NodeServerResponse;
  /** Response headers so far: the echoed `x-` headers, then the route's own. */
  readonly headers: OutgoingHttpHeaders;
  readonly query: URLSearchParams;
  readonly maxInputSize: number;
}

/** Serves a request from the dialect that claims it; false when none does (the caller answers 404). */
export type DialectDispatcher = (req: NodeServerRequest, res: NodeServerResponse) => boolean;

export function createDialectDispatcher(
  dialects: readonly Dialect[],
  options: { readonly authorize: Authorize | undefined; readonly maxInputSize: number },
): DialectDispatcher {
  const rest = dialects.flatMap((d) => (d.rest === undefined ? [] : [d.rest]));
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = decodedSegments(url.pathname);
    if (path === undefined) {
      return false;
    }
    const call: RestCall = {
      req,
      res,
      headers: echoedHeaders(req),
      query: url.searchParams,
      maxInputSize: options.maxInputSize,
    };
    for (const dialect of rest) {
      const route = dialect.match(path, call);
      if (route !== undefined) {
        serve(dialect, route, call, options.authorize).catch((err: unknown) => sendError(dialect, call, err));
        return true;
      }
    }
    return false;
  };
}

async function serve(
  dialect: RestDialect,
  route: RestRoute,
  call: RestCall,
  authorize: Authorize | undefined,
): Promise<void> {
  const method = call.req.method as "GET" | "POST";
  if (!route.methods.includes(method)) {
    call.req.resume();
    call.headers.allow = route.methods.join(", ");
    const { body } = dialect.error(
      new TensorwireError("invalid_argument", `Method Not Allowed: expected ${route.methods.join(" or ")}`),
    );
    sendJson(call, 405, body);
    return;
  }
  const denied = authorize?.((name) => header(call.req, name), route.health === true);
  if (denied !== undefined) {
    call.headers["www-authenticate"] = authChallenge;
    throw denied;
  }
  await route.run(call);
}

function sendError(dialect: RestDialect, call: RestCall, err: unknown): void {
  const tw = TensorwireError.from(err);
  if (prepareErrorResponse(call, tw, err)) {
    const { status, body } = dialect.error(tw);
    sendJson(call, status, body);
  }
}

/** Segments of a path, percent-decoded; undefined for malformed encoding (no dialect claims it). */
function decodedSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split("/").map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

export function readRequestBody(call: RestCall): Promise<Buffer> {
  return readBody(call.req, call.maxInputSize);
}

/** The body as JSON; `nonFiniteTokens` accepts bare NaN/Infinity (TF-Serving, Python's json). */
export async function readJson(call: RestCall, nonFiniteTokens = false): Promise<JsonValue> {
  return parseJson((await readRequestBody(call)).toString("utf8"), nonFiniteTokens);
}

export function parseJson(text: string, nonFiniteTokens = false): JsonValue {
  if (text.trim() === "") {
    throw new TensorwireError("invalid_argument", "the request body is empty: expected JSON", {
      field: "body",
    });
  }
  return parseJsonText(text, { nonFiniteTokens });
}

/** Writes JSON; `bigint` values (INT64 beyond 2^53) are exact, non-finite floats per `nonFiniteTokens`. */
export function sendJson(
  call: RestCall,
  status: number,
  json: unknown,
  options: { readonly nonFiniteTokens?: boolean; readonly contentType?: string } = {},
): void {
  const text = stringifyJsonText(json as JsonValue, { nonFiniteTokens: options.nonFiniteTokens ?? false });
  sendBytes(call, status, Buffer.from(text), options.contentType ?? "application/json");
}

export function sendBytes(call: RestCall, status: number, body: Uint8Array, contentType: string): void {
  call.res.writeHead(status, {
    ...call.headers,
    "content-type": contentType,
    "content-length": String(body.byteLength),
  });
  call.res.end(body);
}

/** The media type of a Content-Type or Accept entry, lower-cased, and its parameters. */
export function mediaType(value: string): { readonly type: string; readonly params: Map<string, string> } {
  const [type = "", ...rest] = value.split(";");
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf("=");
    if (eq > 0) {
      params.set(
        p.slice(0, eq).trim().toLowerCase(),
        p
          .slice(eq + 1)
          .trim()
          .replace(/^"|"$/g, ""),
      );
    }
  }
  return { type: type.trim().toLowerCase(), params };
}

/** `{"error": "<message>"}` with the status of the one code table: KServe, TF-Serving and Wallaroo alike. */
export function errorJson(err: TensorwireError): { readonly status: number; readonly body: unknown } {
  return { status: err.httpStatus, body: { error: err.message } };
}
