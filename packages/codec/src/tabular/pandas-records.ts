import { type JsonDialect, rowsToTensors, tensorsToRows } from "../internal/json-values.js";
import type { JsonValue } from "../json-text.js";
import type { TensorMetadata } from "../metadata.js";
import type { Tensor } from "../tensor.js";

/**
 * Wallaroo's `application/json; format=pandas-records`: pandas `to_json(orient="records")`, a list
 * of rows `[{column: value, ...}, ...]`. Each column is one tensor whose dim 0 is the row count; a
 * list-valued cell gives the remaining dims (every row the same, ragged is an error). NaN and
 * ±Infinity are written as null, as pandas does, and null in a float column reads as NaN.
 *
 * The same mapping serves responses: the server names the tensors after the response columns
 * (`time`, `out.<name>`, ...) and encodes them here.
 */

/** Options of `decodePandasRecords`. */
export interface PandasRecordsOptions {
  /** The model's tensors, for datatypes and shape checks. Default: numbers FP64, strings BYTES. */
  readonly metadata?: readonly TensorMetadata[];
}

const dialect: JsonDialect = { nonFinite: "null", b64: false };

/**
 * Reads pandas records into one tensor per column. An empty list is an empty table: zero-row
 * tensors for the declared columns, or none.
 *
 * @example
 * const [a, b] = decodePandasRecords([{ a: 1, b: "x" }, { a: 2, b: "y" }]); // a FP64 [2], b BYTES [2]
 */
export function decodePandasRecords(body: unknown, options: PandasRecordsOptions = {}): Tensor[] {
  if (Array.isArray(body) && body.length === 0 && options.metadata === undefined) {
    return [];
  }
  return rowsToTensors(body, {
    field: "records",
    metadata: options.metadata,
    defaultName: "input-0",
    dialect,
    namedOnly: true,
  });
}

/** Tensors of rank ≥ 1 sharing dim 0 → one record per row, keyed by tensor name. */
export function encodePandasRecords(tensors: readonly Tensor[]): JsonValue[] {
  return tensorsToRows(tensors, { dialect, named: true });
}
