import { connectNodeAdapter } from "@connectrpc/connect-node";
import { GRPCInferenceService } from "@tensorwire/proto/oip";
import { createAuthInterceptor } from "../auth/auth-interceptor.js";
import { type AuthOptions, createAuthorize } from "../auth/authorize.js";
import type { DataPlane } from "../core/data-plane.js";
import {
  createDialectDispatcher,
  createDialects,
  type DialectDeps,
  type DialectOptions,
  makeDialectOptions,
  registerDialectServices,
} from "../dialects/index.js";
import { createBoundaryInterceptor } from "./grpc/boundary-interceptor.js";
import { createInferenceService } from "./grpc/inference-service.js";
import { registerReflection } from "./grpc/reflection-service.js";
import type { NodeHandlerFn } from "./node-types.js";
import { createRestHandler, defaultMaxInputSize, type RestHandlerOptions } from "./rest/handler.js";

export type TransportOptions = RestHandlerOptions & DialectOptions & AuthOptions;

/**
 * One request handler for every protocol, for `http.Server` and `http2.Server` alike: Connect's
 * router serves gRPC, gRPC-Web and Connect on the `/<package>.<Service>/<Method>` paths, and every
 * other path falls through to OIP REST.
 */
export function createRequestHandler(
  dataPlane: DataPlane,
  options: Partial<TransportOptions> = {},
  modelExtras: DialectDeps["modelExtras"] = () => undefined,
): NodeHandlerFn {
  // Wire dialects (Seldon v1, KServe V1, TF-Serving, Wallaroo) plug in here; auth covers them all.
  const authorize = createAuthorize(options);
  const maxInputSize = options.maxInputSize ?? defaultMaxInputSize;
  const dialects = createDialects({
    dataPlane,
    options: makeDialectOptions(options),
    modelExtras,
  });
  return connectNodeAdapter({
    routes(router) {
      router.service(GRPCInferenceService, createInferenceService(dataPlane));
      registerReflection(router, [GRPCInferenceService, ...registerDialectServices(router, dialects)]);
    },
    interceptors: [
      createBoundaryInterceptor(),
      ...(authorize === undefined ? [] : [createAuthInterceptor(authorize)]),
    ],
    fallback: createRestHandler(dataPlane, options, {
      authorize,
      dialects: createDialectDispatcher(dialects, { authorize, maxInputSize }),
    }),
  });
}
