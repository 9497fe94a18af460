export {
  type ArrowEncodeOptions,
  type ArrowIpcFormat,
  arrowIpcFormat,
  decodeArrowIpc,
  encodeArrowIpc,
} from "./arrow.js";
export {
  type BinaryBody,
  type BinaryRequestOptions,
  decodeBinaryRequest,
  decodeBinaryResponse,
  encodeBinaryRequest,
  encodeBinaryResponse,
  joinBinaryBody,
} from "./binary-extension.js";
export { bytesElementsByteLength, decodeBytesElements, encodeBytesElements } from "./bytes-tensor.js";
export {
  type ContentsField,
  type Datatype,
  type DatatypeInfo,
  datatypeInfo,
  datatypes,
  datatypeTable,
  isDatatype,
  type JsonKind,
  type TensorDataMap,
} from "./datatype.js";
export {
  type ErrorCode,
  type ErrorDetails,
  errorStatus,
  invalidArgument,
  type Result,
  TensorwireError,
} from "./error.js";
export { halfToNumber, numberToHalf } from "./fp16.js";
export {
  type ContentsValues,
  decodeGrpcInferRequest,
  decodeGrpcInferRequestBinary,
  decodeGrpcInferResponse,
  decodeGrpcInferResponseBinary,
  encodeGrpcInferRequest,
  encodeGrpcInferResponse,
  type GrpcEncodeOptions,
  parametersFromGrpc,
  parametersToGrpc,
  tensorFromContents,
  tensorToContents,
} from "./grpc-contents.js";
export { type JsonTextOptions, type JsonValue, parseJsonText, stringifyJsonText } from "./json-text.js";
export type { TensorSpec } from "./json-values.js";
export {
  decodeKserveV1Request,
  decodeKserveV1Response,
  encodeKserveV1Request,
  encodeKserveV1Response,
  type KserveV1EncodeOptions,
  type KserveV1Options,
} from "./kserve-v1.js";
export { hostIsLittleEndian, littleEndianBytes, typedArrayFromLittleEndian } from "./little-endian.js";
export { type OrtType, ortTypes, tensorFromOrt, tensorToOrt } from "./onnx-runtime.js";
export { decodePandasRecords, encodePandasRecords, type PandasRecordsOptions } from "./pandas-records.js";
export { type TensorHeader, tensorFromRawContents, tensorToRawContents } from "./raw-contents.js";
export {
  decodeRestInferRequest,
  decodeRestInferResponse,
  encodeRestInferRequest,
  encodeRestInferResponse,
  type InferRequest,
  type InferResponse,
  parametersFromJson,
  type RequestedOutput,
  type RestInferRequest,
  type RestInferResponse,
  type RestParameters,
  type RestRequestedOutput,
  type RestTensor,
  tensorFromJson,
  tensorToJson,
} from "./rest-json.js";
export {
  decodeSeldonJson,
  decodeSeldonMessage,
  encodeSeldonJson,
  encodeSeldonMessage,
  type SeldonDecodeOptions,
  type SeldonEncodeOptions,
  type SeldonEncoding,
  type SeldonPayload,
  tensorFromTensorProto,
  tensorToTensorProto,
} from "./seldon-v1.js";
export { describe as describeValue, elementCount, formatShape, parseShape } from "./shape.js";
export {
  bytesEqual,
  createTensor,
  dataEquals,
  type Parameters,
  type ParameterValue,
  type Tensor,
  type TensorData,
  type TensorOf,
  tensorEquals,
} from "./tensor.js";
export {
  decodeTfServingRequest,
  decodeTfServingResponse,
  encodeTfServingRequest,
  encodeTfServingResponse,
  parseTfServingJson,
  stringifyTfServingJson,
  type TfServingEncodeOptions,
  type TfServingFormat,
  type TfServingMessage,
  type TfServingOptions,
} from "./tf-serving.js";
