/**
 * TensorFlow Serving's REST predict API, row and columnar formats.
 *
 * @module
 */
export type {
  TfServingEncodeOptions,
  TfServingFormat,
  TfServingMessage,
  TfServingOptions,
} from "./tf-serving.js";
export {
  decodeTfServingRequest,
  decodeTfServingResponse,
  encodeTfServingRequest,
  encodeTfServingResponse,
  parseTfServingJson,
  stringifyTfServingJson,
} from "./tf-serving.js";
