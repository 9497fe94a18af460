/**
 * OIP gRPC: `ModelInferRequest` / `ModelInferResponse` messages, typed and raw contents,
 * parameters, and a fast decoder for serialized messages.
 *
 * @module
 */
export type { TensorHeader } from "../internal/raw-contents.js";
export { tensorFromRawContents, tensorToRawContents } from "../internal/raw-contents.js";
export type { ContentsValues } from "./contents.js";
export { tensorFromContents, tensorToContents } from "./contents.js";
export { decodeGrpcInferRequestBinary, decodeGrpcInferResponseBinary } from "./fast-decoder.js";
export type { GrpcEncodeOptions, RequestFields, ResponseFields, TensorMessage } from "./infer-message.js";
export {
  decodeGrpcInferRequest,
  decodeGrpcInferResponse,
  encodeGrpcInferRequest,
  encodeGrpcInferResponse,
} from "./infer-message.js";
export { type ParameterMap, parametersFromGrpc, parametersToGrpc } from "./parameters.js";
