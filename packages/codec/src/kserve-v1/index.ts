/**
 * KServe V1 (`instances` / `predictions`).
 *
 * @module
 */
export type { KserveV1EncodeOptions, KserveV1Options } from "./kserve-v1.js";
export {
  decodeKserveV1Request,
  decodeKserveV1Response,
  encodeKserveV1Request,
  encodeKserveV1Response,
} from "./kserve-v1.js";
