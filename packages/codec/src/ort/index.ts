export type { OrtType } from "./onnx-runtime.js";
export { ortTypes, tensorFromOrt, tensorToOrt } from "./onnx-runtime.js";
