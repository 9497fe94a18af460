export type { PandasRecordsOptions } from "./pandas-records.js";
export { decodePandasRecords, encodePandasRecords } from "./pandas-records.js";
