// The Open Inference Protocol (KServe V2) data plane, package `inference`, with the Triton and
// Seldon extension RPCs tensorwire serves, and the subset of Triton's model configuration that
// Triton's ModelConfig RPC returns. Generated code lives in ./gen and is never edited.
export * from "./gen/inference/grpc_service_pb.js";
export * from "./gen/inference/model_config_pb.js";
