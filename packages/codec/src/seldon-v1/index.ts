export type { SeldonDecodeOptions, SeldonEncodeOptions, SeldonEncoding, SeldonPayload } from "./seldon-v1.js";
export {
  decodeSeldonJson,
  decodeSeldonMessage,
  encodeSeldonJson,
  encodeSeldonMessage,
  tensorFromTensorProto,
  tensorToTensorProto,
} from "./seldon-v1.js";
