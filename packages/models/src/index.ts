/**
 * ONNX models built from TypeScript: a small graph builder (`buildOnnxModel`, `onnxModel`), the
 * models of the default zoo (iris, tfsimple add/sub, identity per datatype, fraud, Triton's
 * simple_string and simple_int8, mnist, a KServe example) and the conformance suite's models.
 *
 * @module
 */
export type { AddSubDatatype } from "./add-sub-model.js";
export { addSubModel, tfsimpleModel } from "./add-sub-model.js";
export type {
  AttributeValue,
  Dim,
  GraphSpec,
  InitializerSpec,
  NodeSpec,
  OnnxModelOptions,
  ValueSpec,
} from "./build-onnx-model.js";
export { buildOnnxModel } from "./build-onnx-model.js";
export type { FraudModelNames, FraudScorer } from "./fraud-model.js";
export { fraudModel, fraudPredict, fraudScorer } from "./fraud-model.js";
export { identityModel } from "./identity-model.js";
export type { IrisClassifier, IrisPrediction } from "./iris-model.js";
export { irisClasses, irisModel, irisPredict, trainIrisClassifier } from "./iris-model.js";
export { kserveExampleModel } from "./kserve-example-model.js";
export { mixedOutputsModel } from "./mixed-outputs-model.js";
export { mnistModel } from "./mnist-model.js";
export { mulberry32 } from "./mulberry32.js";
export type { OipDataMap, OnnxDatatypeInfo } from "./oip-datatype.js";
export { onnxDatatypeTable } from "./oip-datatype.js";
export type { OnnxModel, TensorSpec } from "./onnx-model.js";
export { onnxModel } from "./onnx-model.js";
export { simpleInt8Model, simpleStringModel } from "./triton-simple-models.js";
