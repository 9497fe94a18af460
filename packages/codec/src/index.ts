/**
 * The tensor model: tensors, datatypes, errors, shapes, inference request and metadata types, and
 * exact JSON text. It loads no wire format; each format family is a subpath of this package.
 *
 * @module
 */
export type {
  ContentsField,
  Datatype,
  DatatypeInfo,
  FixedArrayConstructor,
  JsonKind,
  TensorDataMap,
} from "./datatype.js";
export { datatypeInfo, datatypes, datatypeTable, isDatatype } from "./datatype.js";
export type { ErrorCode, ErrorDetails, Result } from "./error.js";
export { errorStatus, invalidArgument, TensorwireError } from "./error.js";
export { halfToNumber, numberToHalf } from "./fp16.js";
export type { InferRequest, InferResponse, RequestedOutput } from "./infer.js";
export type { JsonTextOptions, JsonValue } from "./json-text.js";
export { defaultMaxJsonDepth, parseJsonText, stringifyJsonText } from "./json-text.js";
export type { ModelMetadata, ServerMetadata, TensorMetadata } from "./metadata.js";
export { elementCount, formatShape, parseShape } from "./shape.js";
export type { Parameters, ParameterValue, Tensor, TensorData, TensorOf } from "./tensor.js";
export { createTensor, tensorEquals } from "./tensor.js";
export type { ValuesOptions } from "./tensor-data-from-values.js";
export { tensorDataFromValues } from "./tensor-data-from-values.js";
