import { TensorwireError } from "@tensorwire/codec";
import { type Authorize, authChallenge, type PublicKind } from "./authorize.js";
import type { NodeHandlerFn, NodeServerRequest, NodeServerResponse } from "./node-types.js";
import { prepareErrorResponse } from "./prepare-error-response.js";
import { echoedHeaders, header } from "./request-headers.js";
import type { RestCall, RestDialect, RestMethod, RestRoute } from "./rest-route.js";
import { errorJson, sendJson } from "./send-json.js";

export type { RestCall, RestDialect, RestMethod, RestRoute } from "./rest-route.js";

export interface RestRouterOptions {
  /** The credential check (`createAuthorize`); undefined: none configured. */
  readonly authorize: Authorize | undefined;
  /** The largest request body, in bytes after decompression (`RestCall.maxInputSize`). */
  readonly maxInputSize: number;
}

/**
 * The one REST router: every REST path of the server is a `RestRoute` of one of `dialects`, asked
 * in order, and every route runs through here, so each gets the same treatment: 405 with `Allow`
 * for another method, the credential check, the `x-` header echo, and every failure answered in
 * its protocol's form with the status of the codec's one `errorStatus` table. Unclaimed paths are
 * 404 `{"error": "Not Found"}`; a path that is not valid percent-encoding is 400.
 */
export function createRestRouter(
  dialects: readonly RestDialect[],
  options: RestRouterOptions,
): NodeHandlerFn {
  const { authorize, maxInputSize } = options;
  return function restRouter(req, res) {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const call = restCall(req, res, q < 0 ? "" : url.slice(q + 1), maxInputSize);
    let path: string[];
    try {
      path = decodedSegments(q < 0 ? url : url.slice(0, q));
    } catch (err) {
      answerError(genericErrors, call, err);
      return;
    }
    for (const dialect of dialects) {
      const route = dialect.match(path);
      if (route !== undefined) {
        serve(route, call, authorize).catch((err: unknown) => answerError(dialect, call, err));
        return;
      }
    }
    req.resume();
    sendJson(call, 404, { error: "Not Found" });
  };
}

/** One REST route of the listing (`listRestRoutes`). */
export interface RestRouteListing {
  /** A sample path of the route's form (`RestDialect.paths`). */
  readonly path: string;
  /** The HTTP methods the route answers. */
  readonly methods: readonly RestMethod[];
  /** Public as a health probe (per `publicHealth`), as the metrics scrape (per `metricsPublic`), or never. */
  readonly access: PublicKind | "credentials";
}

/**
 * Every route the router serves, one per sample path of each dialect, as the router resolves it
 * (the first dialect in order that claims the path). Throws for a sample path no dialect claims,
 * so a listing cannot drift from the routes.
 */
export function listRestRoutes(dialects: readonly RestDialect[]): RestRouteListing[] {
  const listing = new Map<string, RestRouteListing>();
  for (const path of dialects.flatMap((d) => d.paths)) {
    const segments = decodedSegments(path);
    const route = dialects.map((d) => d.match(segments)).find((r) => r !== undefined);
    if (route === undefined) {
      throw new Error(`the sample path ${path} is claimed by no REST dialect`);
    }
    listing.set(path, { path, methods: route.methods, access: publicKind(route) ?? "credentials" });
  }
  return [...listing.values()];
}

async function serve(route: RestRoute, call: RestCall, authorize: Authorize | undefined): Promise<void> {
  if (!route.methods.includes(call.req.method as RestMethod)) {
    call.req.resume();
    call.headers.allow = route.methods.join(", ");
    // FastAPI's (KServe's, MLServer's) words; `Allow` says what was expected.
    throw new MethodNotAllowed();
  }
  const denied = authorize?.((name) => header(call.req, name), publicKind(route));
  if (denied !== undefined) {
    call.headers["www-authenticate"] = authChallenge;
    throw denied;
  }
  await route.run(call);
}

/** The route's kind for the credential check. */
export function publicKind(route: RestRoute): PublicKind | undefined {
  return route.health === true ? "health" : route.metrics === true ? "metrics" : undefined;
}

/** A 405, which no error code maps to: the dialect's error form with the status set here. */
class MethodNotAllowed extends TensorwireError {
  constructor() {
    super("invalid_argument", "Method Not Allowed");
  }
}

const genericErrors: Pick<RestDialect, "error"> = { error: errorJson };

function answerError(dialect: Pick<RestDialect, "error">, call: RestCall, err: unknown): void {
  const tw = TensorwireError.from(err);
  if (prepareErrorResponse(call, tw, err)) {
    const { status, body } = dialect.error(tw);
    sendJson(call, err instanceof MethodNotAllowed ? 405 : status, body);
  }
}

function restCall(
  req: NodeServerRequest,
  res: NodeServerResponse,
  queryString: string,
  maxInputSize: number,
): RestCall {
  let query: URLSearchParams | undefined;
  return {
    req,
    res,
    headers: echoedHeaders(req),
    get query() {
      query ??= new URLSearchParams(queryString);
      return query;
    },
    maxInputSize,
  };
}

/** The path's segments, percent-decoded; throws invalid_argument for malformed encoding. */
function decodedSegments(path: string): string[] {
  const raw = path.split("/");
  const out = new Array<string>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const segment = raw[i] as string;
    try {
      out[i] = segment.includes("%") ? decodeURIComponent(segment) : segment;
    } catch {
      throw new TensorwireError(
        "invalid_argument",
        `the path segment '${segment}' is not valid percent-encoding`,
        { field: "path" },
      );
    }
  }
  return out;
}
