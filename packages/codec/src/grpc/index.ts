export type { TensorHeader } from "../internal/raw-contents.js";
export { tensorFromRawContents, tensorToRawContents } from "../internal/raw-contents.js";
export type { ContentsValues, GrpcEncodeOptions } from "./grpc-contents.js";
export {
  decodeGrpcInferRequest,
  decodeGrpcInferRequestBinary,
  decodeGrpcInferResponse,
  decodeGrpcInferResponseBinary,
  encodeGrpcInferRequest,
  encodeGrpcInferResponse,
  parametersFromGrpc,
  parametersToGrpc,
  tensorFromContents,
  tensorToContents,
} from "./grpc-contents.js";
