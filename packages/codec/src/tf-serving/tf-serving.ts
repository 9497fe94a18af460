import { invalidArgument } from "../error.js";
import { describeValue } from "../internal/describe-value.js";
import {
  type JsonDialect,
  nestedToTensor,
  rowsToTensors,
  tensorsToRows,
  tensorToNested,
} from "../internal/json-values.js";
import { type JsonValue, parseJsonText, stringifyJsonText } from "../json-text.js";
import type { TensorMetadata } from "../metadata.js";
import type { Tensor } from "../tensor.js";
import { isB64 } from "../tensor-data-from-values.js";

/**
 * TensorFlow Serving's REST predict API (`api_rest.md`). A request is either the row format
 * `{"signature_name"?, "instances": [...]}` (rows share dim 0; a single input is a list of values,
 * several inputs a list of objects with the same keys) or the columnar format
 * `{"signature_name"?, "inputs": tensor | {name: tensor}}`; never both. The answer mirrors the
 * request: `{"predictions": ...}` for rows, `{"outputs": ...}` for columns. Binary values are
 * `{"b64": "..."}` anywhere a BYTES value may appear; outputs named `*_bytes` are always written
 * that way (TF-Serving's rule), and BYTES that are not UTF-8 are too, so nothing is lost.
 * Floats may be the bare tokens NaN, Infinity and -Infinity: read bodies with
 * `parseTfServingJson` and write them with `stringifyTfServingJson`.
 *
 * JSON has no datatype; TF-Serving takes it from the signature. Pass the signature as `metadata`
 * to do the same; without it numbers are FP64, strings and b64 objects BYTES, booleans BOOL.
 */

/** TF-Serving's two request layouts: rows (`instances`) or columns (`inputs`). */
export type TfServingFormat = "row" | "columnar";

/** Options of the TF-Serving decoders. */
export interface TfServingOptions {
  /**
   * The signature's inputs (requests) or outputs (responses). Default: none, so datatypes are
   * inferred and an unnamed tensor is called `input-0` / `output-0`.
   */
  readonly metadata?: readonly TensorMetadata[];
}

/** A decoded TF-Serving body. */
export interface TfServingMessage {
  /** The layout the body used; the answer mirrors it. */
  readonly format: TfServingFormat;
  /** The request's `signature_name`, when given. */
  readonly signatureName?: string;
  /** The tensors, one per named input (or the one unnamed). */
  readonly tensors: Tensor[];
}

const dialect: JsonDialect = { nonFinite: "token", b64: true };

/** JSON with TF-Serving's bare NaN, Infinity and -Infinity tokens; big integers stay exact. */
export function parseTfServingJson(text: string): JsonValue {
  return parseJsonText(text, { nonFiniteTokens: true });
}

/** Writes TF-Serving JSON: non-finite floats as bare tokens, -0 kept (as -0.0), `bigint` exact. */
export function stringifyTfServingJson(value: JsonValue): string {
  return stringifyJsonText(value, { nonFiniteTokens: true });
}

/**
 * Server side: reads a predict request body (parse it with `parseTfServingJson`).
 *
 * @example
 * const body = parseTfServingJson('{"instances": [{"x": [1, 2], "label": "a"}]}');
 * const { format, tensors } = decodeTfServingRequest(body); // "row"; x FP64 [1,2], label BYTES [1]
 */
export function decodeTfServingRequest(body: unknown, options: TfServingOptions = {}): TfServingMessage {
  return decode(body, options, "instances", "inputs", "input-0");
}

/** Client side: reads a predict response body, as `decodeTfServingRequest` reads a request. */
export function decodeTfServingResponse(body: unknown, options: TfServingOptions = {}): TfServingMessage {
  return decode(body, options, "predictions", "outputs", "output-0");
}

/** Options of `encodeTfServingRequest` and `encodeTfServingResponse`. */
export interface TfServingEncodeOptions {
  /** Default "columnar", which alone can carry tensors of different dim 0 or rank 0. */
  readonly format: TfServingFormat;
  /** Requests only; omitted when undefined (TF-Serving then uses `serving_default`). */
  readonly signatureName: string | undefined;
  /** Key a single tensor by its name. Default: only several tensors are keyed. */
  readonly named: boolean;
}

/**
 * Client side: writes tensors as a predict request body (write it with `stringifyTfServingJson`).
 * All tensors must share dim 0 for the row format.
 */
export function encodeTfServingRequest(
  tensors: readonly Tensor[],
  options: Partial<TfServingEncodeOptions> = {},
): { [key: string]: JsonValue } {
  const body = encode(tensors, options, "instances", "inputs");
  return options.signatureName === undefined ? body : { signature_name: options.signatureName, ...body };
}

/** Server side: writes tensors as a predict response body, like `encodeTfServingRequest`. */
export function encodeTfServingResponse(
  tensors: readonly Tensor[],
  options: Partial<Omit<TfServingEncodeOptions, "signatureName">> = {},
): { [key: string]: JsonValue } {
  return encode(tensors, options, "predictions", "outputs");
}

const forceB64 = (tensor: Tensor): boolean => tensor.name.endsWith("_bytes");

function decode(
  body: unknown,
  options: TfServingOptions,
  rowKey: string,
  columnKey: string,
  defaultName: string,
): TfServingMessage {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidArgument(
      `expected a JSON object with '${rowKey}' or '${columnKey}', got ${describeValue(body)}`,
    );
  }
  const record = body as Record<string, unknown>;
  const hasRows = Object.hasOwn(record, rowKey);
  const hasColumns = Object.hasOwn(record, columnKey);
  if (hasRows === hasColumns) {
    throw invalidArgument(
      hasRows
        ? `expected one of '${rowKey}' (row format) and '${columnKey}' (columnar format), got both`
        : `expected '${rowKey}' (row format) or '${columnKey}' (columnar format), got neither`,
    );
  }
  const signature: unknown = record.signature_name;
  if (signature !== undefined && typeof signature !== "string") {
    throw invalidArgument(`expected 'signature_name' to be a string, got ${describeValue(signature)}`, {
      field: "signature_name",
    });
  }
  const withSignature = (message: TfServingMessage): TfServingMessage =>
    signature === undefined ? message : { ...message, signatureName: signature };
  const { metadata } = options;
  if (hasRows) {
    const tensors = rowsToTensors(record[rowKey], { field: rowKey, metadata, defaultName, dialect });
    return withSignature({ format: "row", tensors });
  }
  const columns: unknown = record[columnKey];
  const named = typeof columns === "object" && columns !== null && !Array.isArray(columns) && !isB64(columns);
  if (!named) {
    if (metadata !== undefined && metadata.length !== 1) {
      throw invalidArgument(
        `'${columnKey}' holds one unnamed tensor but the signature has ${metadata.length}; name them in an object`,
        { field: columnKey },
      );
    }
    const spec = metadata?.[0];
    const name = spec?.name ?? defaultName;
    return withSignature({
      format: "columnar",
      tensors: [nestedToTensor(columns, { name, field: columnKey, spec, dialect })],
    });
  }
  const tensors = Object.entries(columns as Record<string, unknown>).map(([name, value]) => {
    const spec = metadata?.find((s) => s.name === name);
    if (metadata !== undefined && spec === undefined) {
      throw invalidArgument(
        `unexpected tensor '${name}' in '${columnKey}': expected one of ${metadata.map((s) => `'${s.name}'`).join(", ")}`,
        { tensor: name, field: columnKey },
      );
    }
    return nestedToTensor(value, { name, field: `${columnKey}.${name}`, spec, dialect });
  });
  return withSignature({ format: "columnar", tensors });
}

function encode(
  tensors: readonly Tensor[],
  options: Partial<TfServingEncodeOptions>,
  rowKey: string,
  columnKey: string,
): { [key: string]: JsonValue } {
  const named = options.named ?? tensors.length > 1;
  if ((options.format ?? "columnar") === "row") {
    return { [rowKey]: tensorsToRows(tensors, { dialect, named, forceB64 }) };
  }
  const single = tensors[0];
  if (!named && tensors.length === 1 && single !== undefined) {
    return { [columnKey]: tensorToNested(single, { dialect, forceB64: forceB64(single) }) };
  }
  const columns: { [key: string]: JsonValue } = {};
  for (const t of tensors) {
    if (Object.hasOwn(columns, t.name)) {
      throw invalidArgument(`tensor '${t.name}' appears twice; '${columnKey}' needs distinct names`, {
        tensor: t.name,
      });
    }
    Object.defineProperty(columns, t.name, {
      value: tensorToNested(t, { dialect, forceB64: forceB64(t) }),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return { [columnKey]: columns };
}
