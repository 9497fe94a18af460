import type { DataPlane } from "../core/data-plane.js";
import { lazy } from "../core/lazy.js";
import { type AuthOptions, createAuthorize } from "../http/authorize.js";
import type { CorsOptions } from "../http/cors.js";
import type { NodeHandlerFn, NodeServerResponse, StreamHandler } from "../http/node-types.js";
import {
  createRestRouter,
  listRestRoutes,
  type RestDialect,
  type RestRouteListing,
} from "../http/rest-router.js";
import type { PipelineInspector } from "../pipeline/create-pipeline-data-plane.js";
import type { GrpcLimitOptions } from "../protocols/grpc/message-limit.js";
import { isRpcPath } from "../protocols/grpc/rpc-path.js";
import { createDialects, type DialectOptions, makeDialectOptions, restDialects } from "../protocols/index.js";
import { defaultMaxInputSize, type RestHandlerOptions } from "../protocols/oip-rest/index.js";
import type { ConnectHandlers, RpcRouteListing } from "./connect-handler.js";

/** Everything the request handler is configured by: REST and gRPC limits, dialects, credentials and CORS. */
export type TransportOptions = RestHandlerOptions &
  GrpcLimitOptions &
  DialectOptions &
  AuthOptions &
  CorsOptions;

/** What the server plugs in beside the protocols. */
export interface RequestHandlerExtras {
  /**
   * The recorded pipeline requests, for `GET /v2/pipelines/{p}/inspect`. Default: none.
   *
   * @internal `startServer` wires it; its type is the pipeline data plane's own.
   */
  readonly pipelines?: PipelineInspector;
  /**
   * More REST endpoints (e.g. `/metrics`), after the protocols', through the same router.
   *
   * @internal `startServer` wires it; its type is the REST router's own.
   */
  readonly endpoints?: readonly RestDialect[];
  /** Told about server faults of RPCs, with the RPC name. Default: console.error. */
  readonly onServerFault?: (rpc: string, err: unknown) => void;
}

/** The request handler and the fast gRPC stream handler, over one set of protocols. */
export interface RequestHandlers {
  readonly handler: NodeHandlerFn;
  /** OIP's fast gRPC path for `ListenOptions.streamHandler` (same answers, same credential check). */
  readonly fastPath: StreamHandler;
  /**
   * Imports now what the first request would otherwise wait for: the CORS handler when origins are
   * allowed, and with `rpc` the RPC side (`StartServerOptions.preloadRpc`).
   */
  prepare(options: { readonly rpc: boolean }): Promise<void>;
  /** Every route and RPC served (imports the RPC side first); see `ServedRoutes`. */
  routes(): Promise<ServedRoutes>;
}

/**
 * Every route the server serves and whether it answers without credentials: one sample path per
 * REST path form of every dialect (`/metrics` and the pipeline inspect endpoint included), and
 * every RPC of the Connect router (gRPC, gRPC-Web and Connect share them; OIP's fast path serves
 * a subset of them). Any route whose `access` is "credentials" is refused without them whenever
 * `authToken` or `apiKey` is set.
 */
export interface ServedRoutes {
  /** Every REST route, one per sample path of each dialect. */
  readonly rest: readonly RestRouteListing[];
  /** Every gRPC method, served over gRPC, gRPC-Web and Connect alike. */
  readonly rpc: readonly RpcRouteListing[];
}

/**
 * One request handler for every protocol, for `http.Server` and `http2.Server` alike: Connect's
 * router serves gRPC, gRPC-Web and Connect on the `/<package>.<Service>/<Method>` paths, every other
 * path goes to the one REST router. Both check credentials with the same `authorize`; with
 * `corsOrigins`, CORS wraps both.
 */
export function createRequestHandler(
  dataPlane: DataPlane,
  options: Partial<TransportOptions> = {},
  extras: RequestHandlerExtras = {},
): NodeHandlerFn {
  return createRequestHandlers(dataPlane, options, extras).handler;
}

/**
 * `createRequestHandler` and OIP's fast gRPC path, sharing their request logic.
 *
 * Connect, protobuf and the dialects' services are imported at the first request on an RPC path
 * (`/<package>.<Service>/<Method>`), not at start: they are most of a start's import time, and a
 * REST-only user (a test suite's typical server) never needs them. That first RPC waits for the
 * import; until it is done, plain gRPC calls take the connect path, which answers the same.
 */
export function createRequestHandlers(
  dataPlane: DataPlane,
  options: Partial<TransportOptions> = {},
  extras: RequestHandlerExtras = {},
): RequestHandlers {
  const authorize = createAuthorize(options);
  const dialects = createDialects({
    dataPlane,
    options: makeDialectOptions(options),
    pipelines: extras.pipelines,
  });
  const restSides = [...restDialects(dialects), ...(extras.endpoints ?? [])];
  const rest = createRestRouter(restSides, {
    authorize,
    maxInputSize: options.maxInputSize ?? defaultMaxInputSize,
  });
  let connect: ConnectHandlers | undefined;
  const loadConnect = lazy(() =>
    import("./connect-handler.js")
      .then(({ createConnectHandlers }) =>
        createConnectHandlers({
          dataPlane,
          authorize,
          grpcRawOutput: options.grpcRawOutput ?? false,
          dialects,
          fallback: rest,
          grpcMaxMessageSize: options.grpcMaxMessageSize ?? defaultMaxInputSize,
          onServerFault:
            extras.onServerFault ?? ((rpc, err) => console.error(`tensorwire: rpc ${rpc} failed:`, err)),
        }),
      )
      .then((handlers) => {
        connect = handlers;
        return handlers;
      }),
  );
  const protocols: NodeHandlerFn = (req, res) => {
    if (connect !== undefined) {
      connect.handler(req, res);
    } else if (!isRpcPath(req.url)) {
      rest(req, res);
    } else {
      loadConnect().then((handlers) => handlers.handler(req, res), failed(res, "gRPC/Connect handlers"));
    }
  };
  // CORS takes connect's list of allowed headers, so it is imported only by a server that allows
  // origins. Browsers never send native gRPC (it needs trailers), so the fast path needs no CORS.
  const corsOrigins = options.corsOrigins ?? [];
  let withOrigins: NodeHandlerFn | undefined;
  const loadCors = lazy(() =>
    import("../http/cors.js").then(({ withCors }) => {
      withOrigins = withCors(protocols, corsOrigins);
    }),
  );
  const handler: NodeHandlerFn =
    corsOrigins.length === 0
      ? protocols
      : (req, res) => {
          if (withOrigins !== undefined) {
            withOrigins(req, res);
          } else {
            loadCors().then(() => withOrigins?.(req, res), failed(res, "CORS handler"));
          }
        };
  const fastPath: StreamHandler = (stream, headers) => connect?.fastPath(stream, headers) ?? false;
  return {
    handler,
    fastPath,
    async prepare({ rpc }) {
      await Promise.all([corsOrigins.length === 0 ? undefined : loadCors(), rpc ? loadConnect() : undefined]);
    },
    async routes() {
      return { rest: listRestRoutes(restSides), rpc: (await loadConnect()).rpcRoutes };
    },
  };
}

/** A 500 for a request whose handler could not be imported (a broken installation). */
function failed(res: NodeServerResponse, what: string): (err: unknown) => void {
  return (err) => {
    console.error(`tensorwire: could not load the ${what}:`, err);
    res.statusCode = 500;
    res.end();
  };
}
