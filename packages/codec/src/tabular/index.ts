/**
 * Tables as JSON: pandas `to_json(orient="records")`.
 *
 * @module
 */
export type { PandasRecordsOptions } from "./pandas-records.js";
export { decodePandasRecords, encodePandasRecords } from "./pandas-records.js";
