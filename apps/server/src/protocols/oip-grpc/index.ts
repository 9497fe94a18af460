import type { DialectFactory } from "../dialect.js";

/**
 * OIP over gRPC, gRPC-Web and Connect: `inference.GRPCInferenceService` on the shared Connect
 * router. Plain gRPC calls of the hot RPCs take `createFastPath` instead, over the same `GrpcCalls`.
 */
export const oipGrpc: DialectFactory = (deps) => ({
  name: "oip-grpc",
  async services() {
    const { registerInferenceService } = await import("./inference-service.js");
    return (router, grpc) =>
      registerInferenceService(router, deps.dataPlane, grpc, deps.options.streamInferFraming);
  },
});
