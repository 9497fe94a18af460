// ONNX's model format (the subset needed to build and inspect models from TypeScript).
export * from "./gen/onnx/onnx_pb.js";
