/**
 * OIP REST: the JSON inference request and response, and Triton's binary tensor data extension.
 *
 * @module
 */
export type { BinaryBody, BinaryRequestOptions } from "./binary-extension.js";
export {
  decodeBinaryRequest,
  decodeBinaryResponse,
  encodeBinaryRequest,
  encodeBinaryResponse,
  joinBinaryBody,
} from "./binary-extension.js";
export type {
  RestInferRequest,
  RestInferResponse,
  RestParameters,
  RestRequestedOutput,
  RestTensor,
} from "./rest-json.js";
export {
  decodeRestInferRequest,
  decodeRestInferResponse,
  encodeRestInferRequest,
  encodeRestInferResponse,
  parametersFromJson,
  tensorFromJson,
  tensorToJson,
} from "./rest-json.js";
