/**
 * Seldon Core v1 `SeldonMessage`, as REST JSON and as protobuf messages, and TensorFlow `TensorProto`.
 *
 * @module
 */
export type { SeldonDecodeOptions, SeldonEncodeOptions, SeldonEncoding, SeldonPayload } from "./seldon-v1.js";
export {
  decodeSeldonJson,
  decodeSeldonMessage,
  encodeSeldonJson,
  encodeSeldonMessage,
  tensorFromTensorProto,
  tensorToTensorProto,
} from "./seldon-v1.js";
