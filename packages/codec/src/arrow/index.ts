export type { ArrowEncodeOptions, ArrowIpcFormat } from "./arrow.js";
export { arrowIpcFormat, decodeArrowIpc, encodeArrowIpc } from "./arrow.js";
