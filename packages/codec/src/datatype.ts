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

export type Datatype = (typeof datatypes)[number];

/**
 * How each datatype is held in memory. BOOL is a Uint8Array of 0/1 (the raw wire byte), FP16 a
 * Uint16Array of IEEE 754 binary16 bit patterns (lossless; see fp16.ts to convert), 64-bit integers
 * are bigint arrays so no value is rounded, BYTES an array of byte strings.
 */
export interface TensorDataMap {
  BOOL: Uint8Array;
  UINT8: Uint8Array;
  UINT16: Uint16Array;
  UINT32: Uint32Array;
  UINT64: BigUint64Array;
  INT8: Int8Array;
  INT16: Int16Array;
  INT32: Int32Array;
  INT64: BigInt64Array;
  FP16: Uint16Array;
  FP32: Float32Array;
  FP64: Float64Array;
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

type FixedArrayConstructor =
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

export interface DatatypeInfo {
  readonly datatype: Datatype;
  /** Bytes per element on the wire; 0 for BYTES, whose elements carry their own length. */
  readonly byteSize: number;
  /** The typed array that holds the data; undefined for BYTES. */
  readonly TypedArray: FixedArrayConstructor | undefined;
  readonly jsonKind: JsonKind;
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

export function isDatatype(value: unknown): value is Datatype {
  return typeof value === "string" && Object.hasOwn(datatypeTable, value);
}

/** Looks a datatype up, throwing a clear error for anything that is not one of the OIP datatypes. */
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
