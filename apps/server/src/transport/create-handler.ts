import { connectNodeAdapter } from "@connectrpc/connect-node";
import { GRPCInferenceService } from "@tensorwire/proto/oip";
import type { DataPlane } from "../core/data-plane.js";
import { createBoundaryInterceptor } from "./grpc/boundary-interceptor.js";
import { createInferenceService } from "./grpc/inference-service.js";
import { registerReflection } from "./grpc/reflection-service.js";
import type { NodeHandlerFn } from "./node-types.js";
import { createRestHandler, type RestHandlerOptions } from "./rest/handler.js";

export type TransportOptions = RestHandlerOptions;

/**
 * One request handler for every protocol, for `http.Server` and `http2.Server` alike: Connect's
 * router serves gRPC, gRPC-Web and Connect on the `/<package>.<Service>/<Method>` paths, and every
 * other path falls through to OIP REST.
 */
export function createRequestHandler(
  dataPlane: DataPlane,
  options: Partial<TransportOptions> = {},
): NodeHandlerFn {
  return connectNodeAdapter({
    routes(router) {
      router.service(GRPCInferenceService, createInferenceService(dataPlane));
      registerReflection(router, [GRPCInferenceService]);
    },
    interceptors: [createBoundaryInterceptor()],
    fallback: createRestHandler(dataPlane, options),
  });
}
