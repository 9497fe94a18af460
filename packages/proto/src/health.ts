/**
 * gRPC health checking (grpc/grpc-proto `grpc/health/v1`): Check, List and Watch, which load
 * balancers, Kubernetes' gRPC probes and grpc_health_probe call. Generated code lives in ./gen and
 * is never edited.
 *
 * @example
 * ```ts
 * import { create } from "@bufbuild/protobuf";
 * import { HealthCheckRequestSchema } from "@tensorwire/proto/health";
 *
 * const request = create(HealthCheckRequestSchema, { service: "inference.GRPCInferenceService" });
 * ```
 *
 * @module
 */
export * from "./gen/grpc/health/v1/health_pb.js";
