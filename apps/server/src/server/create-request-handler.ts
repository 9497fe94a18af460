import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { DataPlane } from "../core/data-plane.js";
import { type AuthOptions, createAuthorize } from "../http/authorize.js";
import { type CorsOptions, withCors } from "../http/cors.js";
import type { NodeHandlerFn, StreamHandler } from "../http/node-types.js";
import { createRestRouter, type RestDialect } from "../http/rest-router.js";
import type { PipelineInspector } from "../pipeline/create-pipeline-data-plane.js";
import { createBoundaryInterceptor } from "../protocols/grpc/boundary-interceptor.js";
import { createGrpcCalls } from "../protocols/grpc/grpc-calls.js";
import { registerReflection } from "../protocols/grpc/reflection-service.js";
import {
  createDialects,
  type DialectOptions,
  makeDialectOptions,
  registerDialectServices,
  restDialects,
} from "../protocols/index.js";
import { createFastPath } from "../protocols/oip-grpc/fast-path.js";
import { defaultMaxInputSize, type RestHandlerOptions } from "../protocols/oip-rest/index.js";

export type TransportOptions = RestHandlerOptions & DialectOptions & AuthOptions & CorsOptions;

/** What the server plugs in beside the protocols. */
export interface RequestHandlerExtras {
  /** The recorded pipeline requests, for `GET /v2/pipelines/{p}/inspect`. Default: none. */
  readonly pipelines?: PipelineInspector;
  /** More REST endpoints (e.g. `/metrics`), after the protocols', through the same router. */
  readonly endpoints?: readonly RestDialect[];
  /** Told about server faults of RPCs, with the RPC name. Default: console.error. */
  readonly onServerFault?: (rpc: string, err: unknown) => void;
}

/** The request handler and the fast gRPC stream handler, over one set of protocols. */
export interface RequestHandlers {
  readonly handler: NodeHandlerFn;
  /** OIP's fast gRPC path for `ListenOptions.streamHandler` (same answers, same credential check). */
  readonly fastPath: StreamHandler;
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

/** `createRequestHandler` and OIP's fast gRPC path, sharing their request logic. */
export function createRequestHandlers(
  dataPlane: DataPlane,
  options: Partial<TransportOptions> = {},
  extras: RequestHandlerExtras = {},
): RequestHandlers {
  const authorize = createAuthorize(options);
  const grpc = createGrpcCalls({
    dataPlane,
    authorize,
    grpcRawOutput: options.grpcRawOutput ?? false,
    onServerFault:
      extras.onServerFault ?? ((rpc, err) => console.error(`tensorwire: rpc ${rpc} failed:`, err)),
  });
  const dialects = createDialects({
    dataPlane,
    options: makeDialectOptions(options),
    pipelines: extras.pipelines,
    grpc,
  });
  const protocols = connectNodeAdapter({
    routes(router) {
      registerReflection(router, registerDialectServices(router, dialects));
    },
    interceptors: [createBoundaryInterceptor(grpc)],
    fallback: createRestRouter([...restDialects(dialects), ...(extras.endpoints ?? [])], {
      authorize,
      maxInputSize: options.maxInputSize ?? defaultMaxInputSize,
    }),
  });
  // Browsers never send native gRPC (it needs trailers), so the fast path needs no CORS.
  const handler =
    options.corsOrigins === undefined || options.corsOrigins.length === 0
      ? protocols
      : withCors(protocols, options.corsOrigins);
  return { handler, fastPath: createFastPath(dataPlane, grpc) };
}
