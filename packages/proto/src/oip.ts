/**
 * The Open Inference Protocol (KServe V2) data plane, package `inference`, with the Triton and
 * Seldon extension RPCs tensorwire serves, and the subset of Triton's model configuration that
 * Triton's ModelConfig RPC returns: protobuf-es messages, their schemas and the
 * `GRPCInferenceService` descriptor. Generated code lives in ./gen and is never edited.
 *
 * @example
 * ```ts
 * import { create, toBinary } from "@bufbuild/protobuf";
 * import { ModelInferRequestSchema } from "@tensorwire/proto/oip";
 *
 * const request = create(ModelInferRequestSchema, {
 *   modelName: "iris",
 *   inputs: [{ name: "input", datatype: "FP32", shape: [1n, 4n], contents: { fp32Contents: [5.1, 3.5, 1.4, 0.2] } }],
 * });
 * const bytes = toBinary(ModelInferRequestSchema, request);
 * ```
 *
 * @module
 */
export * from "./gen/inference/grpc_service_pb.js";
export * from "./gen/inference/model_config_pb.js";
