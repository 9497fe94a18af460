/**
 * gRPC server reflection (grpc/grpc-proto `grpc/reflection/v1` and the deprecated `v1alpha`, which
 * grpcurl still tries first on older versions). Both packages declare the same message names, so
 * each is a namespace. Generated code lives in ./gen and is never edited.
 *
 * @example
 * ```ts
 * import { create } from "@bufbuild/protobuf";
 * import { v1 } from "@tensorwire/proto/reflection";
 *
 * const request = create(v1.ServerReflectionRequestSchema, {
 *   messageRequest: { case: "listServices", value: "" },
 * });
 * ```
 *
 * @module
 */
/** `grpc.reflection.v1`: the current reflection service. */
export * as v1 from "./gen/grpc/reflection/v1/reflection_pb.js";
/** `grpc.reflection.v1alpha`: the deprecated reflection service older grpcurl versions try first. */
export * as v1alpha from "./gen/grpc/reflection/v1alpha/reflection_pb.js";
