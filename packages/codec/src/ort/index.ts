/**
 * ONNX Runtime tensors; the only entry that loads onnxruntime-common.
 *
 * @module
 */
export type { OrtType } from "./onnx-runtime.js";
export { ortTypes, tensorFromOrt, tensorToOrt } from "./onnx-runtime.js";
