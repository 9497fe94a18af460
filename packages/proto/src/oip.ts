// The Open Inference Protocol (KServe V2) data plane, package `inference`, with the Triton and
// Seldon extension RPCs tensorwire serves. Generated code lives in ./gen and is never edited.
export * from "./gen/inference/grpc_service_pb.js";
