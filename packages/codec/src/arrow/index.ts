/**
 * Apache Arrow IPC tables (file and stream); the only entry that loads apache-arrow.
 *
 * @module
 */
export type { ArrowEncodeOptions, ArrowIpcFormat } from "./arrow.js";
export { arrowIpcFormat, decodeArrowIpc, encodeArrowIpc } from "./arrow.js";
