import { type Datatype, datatypeInfo } from "../datatype.js";
import { invalidArgument } from "../error.js";
import { halfToNumber } from "../fp16.js";
import type { JsonValue } from "../json-text.js";
import type { TensorMetadata } from "../metadata.js";
import { elementCount, formatShape } from "../shape.js";
import { createTensor, type Tensor } from "../tensor.js";
import { isB64, tensorDataFromValues, type ValuesOptions } from "../tensor-data-from-values.js";
import { base64Decode, base64Encode } from "./base64.js";
import { describeValue } from "./describe-value.js";

/**
 * Nested JSON arrays ↔ tensors, shared by the untyped JSON dialects (Seldon ndarray, KServe V1,
 * TF-Serving, pandas records). These carry no datatype, so one is taken from model metadata or
 * inferred from the values (see `inferDatatype`).
 */

/** How a dialect writes the values JSON cannot carry plainly. */
export interface JsonDialect {
  /**
   * Non-finite floats: "null" writes null (lossy: ±Infinity reads back as NaN) as pandas and orjson
   * do, and reads null in a float tensor as NaN; "token" keeps NaN/±Infinity as numbers, for a
   * writer that emits TF-Serving's bare tokens.
   */
  readonly nonFinite: "null" | "token";
  /** TF-Serving's `{"b64": "..."}` for binary values; otherwise BYTES are UTF-8 strings only. */
  readonly b64: boolean;
  /**
   * INT64/UINT64 values beyond 2^53: "bigint" keeps them exact (write with `stringifyJsonText`);
   * "number" rounds them, for formats whose numbers are doubles (protobuf `Value`). Default "bigint".
   */
  readonly int64?: "bigint" | "number";
}

// numpy's limit is 64 dimensions; deeper nesting is not a tensor.
const maxRank = 64;

interface Where {
  readonly tensor: string;
  readonly field: string;
}

/** Shape of a nested array (rectangular, else an error) and its leaves in row-major order. */
export function flattenNested(value: unknown, where: Where): { shape: number[]; leaves: unknown[] } {
  const shape: number[] = [];
  let probe = value;
  while (Array.isArray(probe)) {
    if (shape.length === maxRank) {
      throw invalidArgument(
        `tensor '${where.tensor}': ${where.field} is nested deeper than ${maxRank} levels`,
        where,
      );
    }
    shape.push(probe.length);
    if (probe.length === 0) {
      break;
    }
    probe = probe[0];
  }
  const leaves: unknown[] = new Array(elementCount(shape));
  const path: number[] = [];
  let k = 0;
  const ragged = (got: string): never => {
    const at = `${where.field}${path.map((i) => `[${i}]`).join("")}`;
    const expected =
      path.length < shape.length ? `an array of ${shape[path.length]}` : "a value, not an array";
    throw invalidArgument(
      `tensor '${where.tensor}': ragged nested array: expected ${expected} at ${at} (shape ${formatShape(shape)}), got ${got}`,
      where,
    );
  };
  const walk = (v: unknown, depth: number): void => {
    if (!Array.isArray(v)) {
      ragged(describeValue(v));
      return;
    }
    if (v.length !== shape[depth]) {
      ragged(`${v.length} elements`);
    }
    const last = depth === shape.length - 1;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (last) {
        if (Array.isArray(x)) {
          path.push(i);
          ragged("an array");
        }
        leaves[k++] = x;
      } else {
        path.push(i);
        walk(x, depth + 1);
        path.pop();
      }
    }
  };
  if (shape.length === 0) {
    leaves[0] = value;
  } else {
    walk(value, 0);
  }
  return { shape, leaves };
}

/**
 * The datatype untyped JSON values imply: all booleans → BOOL; all strings (or b64 objects) →
 * BYTES; numbers (nulls among them read as NaN) → FP64. JSON cannot tell 1 from 1.0, and FP64
 * holds every number `JSON.parse` produces exactly, so integers are not guessed as INT64; a
 * model's metadata picks narrower types. Anything else, or a mix, is an error.
 */
export function inferDatatype(leaves: readonly unknown[], where: Where, dialect: JsonDialect): Datatype {
  let kind: "number" | "string" | "bool" | undefined;
  for (let i = 0; i < leaves.length; i++) {
    const v = leaves[i];
    const t = typeof v;
    const k =
      t === "number" || t === "bigint" || (v === null && dialect.nonFinite === "null")
        ? "number"
        : t === "string" || (dialect.b64 && isB64(v))
          ? "string"
          : t === "boolean"
            ? "bool"
            : undefined;
    if (k === undefined) {
      throw invalidArgument(
        `tensor '${where.tensor}': ${where.field} element ${i} is ${describeValue(v)}; expected a number, string or boolean`,
        where,
      );
    }
    if (kind !== undefined && k !== kind) {
      throw invalidArgument(
        `tensor '${where.tensor}': ${where.field} mixes ${kind}s and ${k}s (element ${i} is ${describeValue(v)}); a tensor has one datatype`,
        where,
      );
    }
    kind = k;
  }
  return kind === "bool" ? "BOOL" : kind === "string" ? "BYTES" : "FP64";
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/** How `tensorDataFromValues` reads a dialect's values; `nestedShape` when they were nested. */
export function dialectValues(
  where: Where,
  dialect: JsonDialect,
  nestedShape?: readonly number[],
): Partial<ValuesOptions> {
  return {
    tensor: where.tensor,
    field: where.field,
    nestedShape,
    nonFinite: dialect.nonFinite === "null" ? "null" : "number",
    int64: dialect.int64 === "number" ? "double" : "exact",
    b64: dialect.b64 ? (text, index) => base64Decode(text, where, index) : undefined,
  };
}

export interface NestedToTensorOptions {
  readonly name: string;
  /** Where in the body the value sits, for error messages: "instances", "inputs.x", ... */
  readonly field: string;
  /** The declared datatype and shape; without it the datatype is inferred and any shape goes. */
  readonly spec?: TensorMetadata | undefined;
  readonly dialect: JsonDialect;
}

/** A nested JSON array (or a scalar) → a tensor. */
export function nestedToTensor(value: unknown, options: NestedToTensorOptions): Tensor {
  const where = { tensor: options.name, field: options.field };
  const { shape, leaves } = flattenNested(value, where);
  const spec = options.spec;
  const datatype =
    spec === undefined
      ? inferDatatype(leaves, where, options.dialect)
      : datatypeInfo(spec.datatype, options.name).datatype;
  if (spec !== undefined) {
    completeEmptyShape(shape, spec);
    checkShape(shape, spec);
  }
  const data = tensorDataFromValues(datatype, leaves, dialectValues(where, options.dialect, shape));
  return createTensor({ name: options.name, datatype, shape, data });
}

/**
 * Nesting cannot show the dimensions below a zero-length one (`[]` may be [0] or [0,3]); for an
 * empty tensor the declared shape supplies them, with -1 read as 0.
 */
function completeEmptyShape(shape: number[], spec: TensorMetadata): void {
  const prefixMatches = shape.every((d, i) => spec.shape[i] === -1 || spec.shape[i] === d);
  if (elementCount(shape) === 0 && shape.length < spec.shape.length && prefixMatches) {
    for (const d of spec.shape.slice(shape.length)) {
      shape.push(Math.max(d, 0));
    }
  }
}

export interface RowsToTensorsOptions {
  /** The JSON key holding the rows, for error messages: "instances", "predictions", ... */
  readonly field: string;
  /** The model's declared tensors; names an unnamed single tensor and fixes datatypes and shapes. */
  readonly metadata?: readonly TensorMetadata[] | undefined;
  /** The name of an unnamed tensor when metadata does not give one. */
  readonly defaultName: string;
  readonly dialect: JsonDialect;
  /** Reject rows that are not objects (pandas records are always named columns). */
  readonly namedOnly?: boolean;
}

/**
 * Rows (one entry per batch item) → tensors whose dim 0 is the row count. Rows that are objects
 * name their tensors (one tensor per key, every row with the same keys); otherwise the rows are
 * one unnamed tensor. An empty list yields one zero-row tensor per declared tensor.
 */
export function rowsToTensors(rows: unknown, options: RowsToTensorsOptions): Tensor[] {
  const { field, metadata, dialect } = options;
  if (!Array.isArray(rows)) {
    throw invalidArgument(`expected '${field}' to be a list of rows, got ${describeValue(rows)}`, { field });
  }
  const specOf = (name: string): TensorMetadata | undefined => {
    if (metadata === undefined) {
      return undefined;
    }
    const spec = metadata.find((s) => s.name === name);
    if (spec === undefined) {
      throw invalidArgument(
        `unexpected tensor '${name}' in '${field}': expected one of ${metadata.map((s) => `'${s.name}'`).join(", ")}`,
        { tensor: name, field },
      );
    }
    return spec;
  };
  if (rows.length === 0) {
    const specs = metadata ?? [{ name: options.defaultName, datatype: "FP64", shape: [-1] }];
    return specs.map((spec) => nestedToTensor([], { name: spec.name, field, spec, dialect }));
  }
  const first: unknown = rows[0];
  const named =
    typeof first === "object" && first !== null && !Array.isArray(first) && !(dialect.b64 && isB64(first));
  if (!named) {
    if (options.namedOnly === true) {
      throw invalidArgument(
        `expected '${field}[0]' to be an object of named columns, got ${describeValue(first)}`,
        {
          field,
        },
      );
    }
    if (metadata !== undefined && metadata.length !== 1) {
      throw invalidArgument(
        `'${field}' holds one unnamed tensor but the model has ${metadata.length} (${metadata.map((s) => `'${s.name}'`).join(", ")}); rows must be objects naming them`,
        { field },
      );
    }
    const spec = metadata?.[0];
    return [nestedToTensor(rows, { name: spec?.name ?? options.defaultName, field, spec, dialect })];
  }
  const keys = Object.keys(first as object);
  const columns = keys.map(() => new Array<unknown>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row: unknown = rows[r];
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      throw invalidArgument(
        `expected '${field}[${r}]' to be an object like '${field}[0]', got ${describeValue(row)}`,
        {
          field,
        },
      );
    }
    const record = row as Record<string, unknown>;
    const rowKeys = Object.keys(record);
    if (rowKeys.length !== keys.length || !keys.every((k) => Object.hasOwn(record, k))) {
      throw invalidArgument(
        `expected '${field}[${r}]' to have the keys of '${field}[0]' (${keys.join(", ")}), got ${rowKeys.join(", ")}`,
        { field },
      );
    }
    for (let c = 0; c < keys.length; c++) {
      (columns[c] as unknown[])[r] = record[keys[c] as string];
    }
  }
  return keys.map((name, c) =>
    nestedToTensor(columns[c], { name, field: `${field}[*].${name}`, spec: specOf(name), dialect }),
  );
}

export interface TensorsToRowsOptions {
  readonly dialect: JsonDialect;
  /** Objects keyed by tensor name even for a single tensor; always true for several tensors. */
  readonly named: boolean;
  /** BYTES tensors to write as `{"b64"}` (TF-Serving: names ending in `_bytes`). */
  readonly forceB64?: (tensor: Tensor) => boolean;
}

/** Tensors sharing dim 0 → rows: the inverse of `rowsToTensors`. */
export function tensorsToRows(tensors: readonly Tensor[], options: TensorsToRowsOptions): JsonValue[] {
  const nested = tensors.map((t) =>
    tensorRows(t, { dialect: options.dialect, forceB64: options.forceB64?.(t) ?? false }),
  );
  if (!options.named && tensors.length === 1) {
    return nested[0] as JsonValue[];
  }
  const first = tensors[0];
  if (first === undefined) {
    return [];
  }
  const n = first.shape[0] as number;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (seen.has(t.name)) {
      throw invalidArgument(`tensor '${t.name}' appears twice; row objects need distinct names`, {
        tensor: t.name,
      });
    }
    seen.add(t.name);
    if (t.shape[0] !== n) {
      throw invalidArgument(
        `tensor '${t.name}': rows share dim 0: expected ${n} rows like tensor '${first.name}', got ${t.shape[0]}`,
        { tensor: t.name, field: "shape" },
      );
    }
  }
  const rows: JsonValue[] = new Array(n);
  for (let r = 0; r < n; r++) {
    const row: { [key: string]: JsonValue } = {};
    for (let c = 0; c < tensors.length; c++) {
      Object.defineProperty(row, (tensors[c] as Tensor).name, {
        value: (nested[c] as JsonValue[])[r],
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    rows[r] = row;
  }
  return rows;
}

/** Checks a decoded shape against the declared one, where -1 matches any size. */
export function checkShape(shape: readonly number[], spec: TensorMetadata): void {
  const ok = shape.length === spec.shape.length && spec.shape.every((d, i) => d === -1 || d === shape[i]);
  if (!ok) {
    throw invalidArgument(
      `tensor '${spec.name}': expected shape ${formatShape(spec.shape)}, got ${formatShape(shape)}`,
      { tensor: spec.name, field: "shape" },
    );
  }
}

export interface TensorToNestedOptions {
  readonly dialect: JsonDialect;
  /** Write every BYTES element as `{"b64": ...}` (TF-Serving outputs named `*_bytes`). */
  readonly forceB64?: boolean;
}

/**
 * A tensor → nested JSON arrays (a bare value for a scalar). INT64/UINT64 values beyond 2^53
 * become `bigint`, which `stringifyJsonText` writes exactly (`JSON.stringify` throws on them).
 * BYTES that are not UTF-8 become `{"b64"}` where the dialect allows it, else an error.
 */
export function tensorToNested(tensor: Tensor, options: TensorToNestedOptions): JsonValue {
  const leaf = leafWriter(tensor, options);
  const shape = tensor.shape;
  if (shape.length === 0) {
    return leaf(0);
  }
  let k = 0;
  const build = (depth: number): JsonValue[] => {
    const n = shape[depth] as number;
    const out: JsonValue[] = new Array(n);
    if (depth === shape.length - 1) {
      for (let i = 0; i < n; i++) {
        out[i] = leaf(k++);
      }
    } else {
      for (let i = 0; i < n; i++) {
        out[i] = build(depth + 1);
      }
    }
    return out;
  };
  return build(0);
}

/** One row (index along dim 0) of a tensor of rank ≥ 1, as nested JSON. */
export function tensorRows(tensor: Tensor, options: TensorToNestedOptions): JsonValue[] {
  if (tensor.shape.length === 0) {
    throw invalidArgument(`tensor '${tensor.name}': a scalar has no rows; expected rank ≥ 1`, {
      tensor: tensor.name,
      field: "shape",
    });
  }
  return tensorToNested(tensor, options) as JsonValue[];
}

function leafWriter(tensor: Tensor, options: TensorToNestedOptions): (i: number) => JsonValue {
  const { dialect } = options;
  switch (tensor.datatype) {
    case "BOOL": {
      const d = tensor.data;
      return (i) => d[i] !== 0;
    }
    case "FP16": {
      const d = tensor.data;
      return (i) => finite(halfToNumber(d[i] as number), dialect);
    }
    case "FP32":
    case "FP64": {
      const d = tensor.data;
      return (i) => finite(d[i] as number, dialect);
    }
    case "INT64":
    case "UINT64": {
      const d = tensor.data;
      const exact = dialect.int64 !== "number";
      return (i) => {
        const v = d[i] as bigint;
        const n = Number(v);
        return exact && !Number.isSafeInteger(n) ? v : n;
      };
    }
    case "BYTES": {
      const d = tensor.data;
      return (i) => {
        const bytes = d[i] as Uint8Array;
        if (dialect.b64 && options.forceB64 === true) {
          return { b64: base64Encode(bytes) };
        }
        try {
          return utf8Strict.decode(bytes);
        } catch {
          if (dialect.b64) {
            return { b64: base64Encode(bytes) };
          }
          throw invalidArgument(
            `tensor '${tensor.name}': BYTES element ${i} is not UTF-8 and this format carries only text`,
            { tensor: tensor.name, field: "data" },
          );
        }
      };
    }
    default: {
      const d = tensor.data;
      return (i) => d[i] as number;
    }
  }
}

function finite(x: number, dialect: JsonDialect): number | null {
  return dialect.nonFinite === "null" && !Number.isFinite(x) ? null : x;
}
