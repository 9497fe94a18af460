import type { Interceptor } from "@connectrpc/connect";
import type { Authorize } from "./authorize.js";

/** gRPC's health RPCs, public like the REST probes (`<service type name>/<method>`). */
const healthMethods = new Set([
  "inference.GRPCInferenceService/ServerLive",
  "inference.GRPCInferenceService/ServerReady",
  "grpc.health.v1.Health/Check",
  "grpc.health.v1.Health/Watch",
]);

/**
 * Applies `authorize` to every gRPC, gRPC-Web and Connect call. Place it inside the boundary
 * interceptor, which turns the thrown TensorwireError into UNAUTHENTICATED.
 */
export function createAuthInterceptor(authorize: Authorize): Interceptor {
  return (next) => (req) => {
    const health = healthMethods.has(`${req.service.typeName}/${req.method.name}`);
    const denied = authorize((name) => req.header.get(name) ?? undefined, health);
    if (denied !== undefined) {
      throw denied;
    }
    return next(req);
  };
}
