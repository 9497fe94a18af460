import type { InferTensorContents } from "@tensorwire/proto/oip";

/**
 * The OIP tensor datatypes, from the specification's table
 * (https://github.com/kserve/open-inference-protocol/blob/main/specification/protocol/inference_rest.md#tensor-data-types).
 * The suite keeps its own copy rather than importing a codec's: it is the oracle that judges
 * servers, so it must not share their code.
 */
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

/** One of the OIP tensor datatypes, e.g. "FP32". */
export type Datatype = (typeof datatypes)[number];

/** Whether a value is the name of an OIP datatype (upper case, as the specification spells it). */
export function isDatatype(value: unknown): value is Datatype {
  return typeof value === "string" && (datatypes as readonly string[]).includes(value);
}

type ContentsField = Exclude<keyof InferTensorContents, "$typeName" | "$unknown">;

/** What the suite needs to know of a datatype to read and write its elements. */
export interface DatatypeInfo {
  readonly kind: "bool" | "uint" | "int" | "float" | "bytes";
  /** Bytes per element in raw form; 0 for BYTES, whose elements are length-prefixed. */
  readonly size: number;
  /** The gRPC InferTensorContents field that carries it; FP16 has none and travels raw only. */
  readonly contentsField: ContentsField | undefined;
}

export const datatypeInfo: Readonly<Record<Datatype, DatatypeInfo>> = {
  BOOL: { kind: "bool", size: 1, contentsField: "boolContents" },
  UINT8: { kind: "uint", size: 1, contentsField: "uintContents" },
  UINT16: { kind: "uint", size: 2, contentsField: "uintContents" },
  UINT32: { kind: "uint", size: 4, contentsField: "uintContents" },
  UINT64: { kind: "uint", size: 8, contentsField: "uint64Contents" },
  INT8: { kind: "int", size: 1, contentsField: "intContents" },
  INT16: { kind: "int", size: 2, contentsField: "intContents" },
  INT32: { kind: "int", size: 4, contentsField: "intContents" },
  INT64: { kind: "int", size: 8, contentsField: "int64Contents" },
  FP16: { kind: "float", size: 2, contentsField: undefined },
  FP32: { kind: "float", size: 4, contentsField: "fp32Contents" },
  FP64: { kind: "float", size: 8, contentsField: "fp64Contents" },
  BYTES: { kind: "bytes", size: 0, contentsField: "bytesContents" },
};

/** The smallest and largest value of an integer datatype. */
export function integerRange(datatype: Datatype): readonly [bigint, bigint] {
  const { kind, size } = datatypeInfo[datatype];
  const bits = BigInt(size * 8);
  return kind === "uint" ? [0n, (1n << bits) - 1n] : [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
}
