import { invalidArgument } from "../error.js";
import { describeValue } from "../internal/describe-value.js";
import { type JsonDialect, rowsToTensors, tensorsToRows } from "../internal/json-values.js";
import type { JsonValue } from "../json-text.js";
import type { TensorMetadata } from "../metadata.js";
import type { Tensor } from "../tensor.js";

/**
 * KServe V1 (`POST /v1/models/{name}:predict`): `{"instances": [row, ...]}` answered by
 * `{"predictions": [row, ...]}`. Each row is one batch item: a value or nested list (the rows
 * together are one unnamed tensor of shape [rows, ...]) or an object of named values (one tensor
 * per key, each of shape [rows, ...]; every row has the same keys). The protocol carries no
 * datatype: pass the model's metadata to get its datatypes, names and shape checks; without it
 * numbers are FP64, strings BYTES (UTF-8) and booleans BOOL.
 */

/** Options of the KServe V1 decoders. */
export interface KserveV1Options {
  /**
   * The model's inputs (requests) or outputs (responses). Default: none, so datatypes are inferred
   * and an unnamed tensor is called `input-0` / `output-0`.
   */
  readonly metadata?: readonly TensorMetadata[];
}

/**
 * Standard JSON as KServe's orjson writes it: NaN and ±Infinity become null. Binary values use
 * TF-Serving's `{"b64": "..."}`, since KServe's V1 protocol follows TF-Serving's predict API (its
 * image examples send `{"image_bytes": {"b64": ...}}`).
 */
const dialect: JsonDialect = { nonFinite: "null", b64: true };

/**
 * Server side: reads a `{"instances": [...]}` body into tensors.
 *
 * @example
 * const metadata: TensorMetadata[] = [{ name: "x", datatype: "FP32", shape: [-1, 4] }];
 * const [x] = decodeKserveV1Request({ instances: [[5.1, 3.5, 1.4, 0.2]] }, { metadata }); // FP32 [1,4]
 */
export function decodeKserveV1Request(body: unknown, options: KserveV1Options = {}): Tensor[] {
  return rowsToTensors(member(body, "instances"), {
    field: "instances",
    metadata: options.metadata,
    defaultName: "input-0",
    dialect,
  });
}

/** Client side: reads a `{"predictions": [...]}` body into tensors. */
export function decodeKserveV1Response(body: unknown, options: KserveV1Options = {}): Tensor[] {
  return rowsToTensors(member(body, "predictions"), {
    field: "predictions",
    metadata: options.metadata,
    defaultName: "output-0",
    dialect,
  });
}

/** Options of `encodeKserveV1Request` and `encodeKserveV1Response`. */
export interface KserveV1EncodeOptions {
  /** Rows as objects keyed by tensor name even for one tensor. Default: only for several tensors. */
  readonly named: boolean;
}

/**
 * All tensors must have rank ≥ 1 and share dim 0. Non-finite floats are written as null, INT64
 * beyond 2^53 as `bigint` (write the body with `stringifyJsonText`).
 */
export function encodeKserveV1Request(
  tensors: readonly Tensor[],
  options: Partial<KserveV1EncodeOptions> = {},
): {
  /** One row per batch item. */
  instances: JsonValue[];
} {
  return { instances: tensorsToRows(tensors, { dialect, named: options.named ?? tensors.length > 1 }) };
}

/** Server side: writes tensors as a `{"predictions": [...]}` body, like `encodeKserveV1Request`. */
export function encodeKserveV1Response(
  tensors: readonly Tensor[],
  options: Partial<KserveV1EncodeOptions> = {},
): {
  /** One row per batch item. */
  predictions: JsonValue[];
} {
  return { predictions: tensorsToRows(tensors, { dialect, named: options.named ?? tensors.length > 1 }) };
}

function member(body: unknown, key: string): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body) || !Object.hasOwn(body, key)) {
    throw invalidArgument(`expected a JSON object with '${key}', got ${describeValue(body)}`, { field: key });
  }
  return (body as Record<string, unknown>)[key];
}
