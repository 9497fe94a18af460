import { TensorwireError } from "./error.js";

/** The OIP datatypes, in the order of the spec's table. */
export const datatypes = [
  "BOOL",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "FP16",
  "FP32",
  "FP64",
  "BYTES",
] as const;

/** One of the thirteen OIP datatypes: `"FP32"`, `"INT64"`, `"BYTES"`... */
export type Datatype = (typeof datatypes)[number];

/**
 * How each datatype is held in memory. BOOL is a Uint8Array of 0/1 (the raw wire byte), FP16 a
 * Uint16Array of IEEE 754 binary16 bit patterns (lossless; see fp16.ts to convert), 64-bit integers
 * are bigint arrays so no value is rounded, BYTES an array of byte strings.
 */
export interface TensorDataMap {
  /** One byte per element, 0 or 1. */
  BOOL: Uint8Array;
  /** Unsigned 8-bit integers. */
  UINT8: Uint8Array;
  /** Unsigned 16-bit integers. */
  UINT16: Uint16Array;
  /** Unsigned 32-bit integers. */
  UINT32: Uint32Array;
  /** Unsigned 64-bit integers, exact as bigint. */
  UINT64: BigUint64Array;
  /** Signed 8-bit integers. */
  INT8: Int8Array;
  /** Signed 16-bit integers. */
  INT16: Int16Array;
  /** Signed 32-bit integers. */
  INT32: Int32Array;
  /** Signed 64-bit integers, exact as bigint. */
  INT64: BigInt64Array;
  /** IEEE 754 binary16 bit patterns (`halfToNumber` reads one). */
  FP16: Uint16Array;
  /** IEEE 754 binary32 values. */
  FP32: Float32Array;
  /** IEEE 754 binary64 values. */
  FP64: Float64Array;
  /** One byte string per element. */
  BYTES: Uint8Array[];
}

/** The JSON element kind a datatype accepts: drives parsing and validation of JSON data. */
export type JsonKind = "bool" | "int" | "bigint" | "float" | "half" | "bytes";

/** The `InferTensorContents` field that carries a datatype on gRPC; FP16 has none (raw only). */
export type ContentsField =
  | "boolContents"
  | "intContents"
  | "int64Contents"
  | "uintContents"
  | "uint64Contents"
  | "fp32Contents"
  | "fp64Contents"
  | "bytesContents";

/** The typed array constructors that hold the fixed-size datatypes' data. */
export type FixedArrayConstructor =
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor
  | BigUint64ArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

/** What the codec knows about one datatype: its row of `datatypeTable`. */
export interface DatatypeInfo {
  /** The datatype this row describes. */
  readonly datatype: Datatype;
  /** Bytes per element on the wire; 0 for BYTES, whose elements carry their own length. */
  readonly byteSize: number;
  /** The typed array that holds the data; undefined for BYTES. */
  readonly TypedArray: FixedArrayConstructor | undefined;
  /** The kind of JSON value an element is written as. */
  readonly jsonKind: JsonKind;
  /** The gRPC `InferTensorContents` field of the datatype; undefined for FP16 (raw only). */
  readonly contentsField: ContentsField | undefined;
  /** Inclusive integer range for integer datatypes, as bigint so 64-bit bounds are exact. */
  readonly range: readonly [bigint, bigint] | undefined;
}

function info(
  datatype: Datatype,
  byteSize: number,
  TypedArray: FixedArrayConstructor | undefined,
  jsonKind: JsonKind,
  contentsField: ContentsField | undefined,
  range?: readonly [bigint, bigint],
): DatatypeInfo {
  return { datatype, byteSize, TypedArray, jsonKind, contentsField, range };
}

const u = (bits: number): readonly [bigint, bigint] => [0n, (1n << BigInt(bits)) - 1n];
const s = (bits: number): readonly [bigint, bigint] => [
  -(1n << BigInt(bits - 1)),
  (1n << BigInt(bits - 1)) - 1n,
];

/** The one datatype table: every codec looks datatypes up here. */
export const datatypeTable: Readonly<Record<Datatype, DatatypeInfo>> = {
  BOOL: info("BOOL", 1, Uint8Array, "bool", "boolContents"),
  UINT8: info("UINT8", 1, Uint8Array, "int", "uintContents", u(8)),
  UINT16: info("UINT16", 2, Uint16Array, "int", "uintContents", u(16)),
  UINT32: info("UINT32", 4, Uint32Array, "int", "uintContents", u(32)),
  UINT64: info("UINT64", 8, BigUint64Array, "bigint", "uint64Contents", u(64)),
  INT8: info("INT8", 1, Int8Array, "int", "intContents", s(8)),
  INT16: info("INT16", 2, Int16Array, "int", "intContents", s(16)),
  INT32: info("INT32", 4, Int32Array, "int", "intContents", s(32)),
  INT64: info("INT64", 8, BigInt64Array, "bigint", "int64Contents", s(64)),
  FP16: info("FP16", 2, Uint16Array, "half", undefined),
  FP32: info("FP32", 4, Float32Array, "float", "fp32Contents"),
  FP64: info("FP64", 8, Float64Array, "float", "fp64Contents"),
  BYTES: info("BYTES", 0, undefined, "bytes", "bytesContents"),
};

/**
 * Whether a value is one of the OIP datatype names (case-sensitive, as the protocol spells them).
 *
 * @example
 * isDatatype("FP32"); // true
 * isDatatype("float32"); // false
 */
export function isDatatype(value: unknown): value is Datatype {
  return typeof value === "string" && Object.hasOwn(datatypeTable, value);
}

/**
 * Looks a datatype up, throwing a clear `invalid_argument` error (naming `tensor` when given) for
 * anything that is not one of the OIP datatypes.
 *
 * @example
 * datatypeInfo("INT16").byteSize; // 2
 * datatypeInfo("FLOAT32", "x"); // throws: invalid datatype "FLOAT32" of tensor 'x': expected one of BOOL, ...
 */
export function datatypeInfo(value: unknown, tensor?: string): DatatypeInfo {
  if (!isDatatype(value)) {
    const where = tensor === undefined ? "" : ` of tensor '${tensor}'`;
    throw new TensorwireError(
      "invalid_argument",
      `invalid datatype ${JSON.stringify(value)}${where}: expected one of ${datatypes.join(", ")}`,
      { tensor, field: "datatype" },
    );
  }
  return datatypeTable[value];
}
