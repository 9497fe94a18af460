import type { Datatype, TensorDataMap } from "@tensorwire/codec";
import { TensorProto_DataType } from "@tensorwire/proto/onnx";

/**
 * How initializer data is passed in, per datatype: BOOL as 0/1 bytes, FP16 as binary16 bit patterns
 * (so no value is rounded on the way), 64-bit integers as bigint arrays, BYTES as strings or raw bytes.
 */
export type OipDataMap = Omit<TensorDataMap, "BYTES"> & {
  /** BYTES elements: strings (written as UTF-8) or raw bytes. */
  BYTES: readonly (string | Uint8Array)[];
};

/** How one OIP datatype is written in an ONNX model. */
export interface OnnxDatatypeInfo {
  /** The ONNX `TensorProto.DataType` of graph values and initializers. */
  readonly elemType: TensorProto_DataType;
  /** Bytes per element in `raw_data`; 0 for BYTES, which ONNX keeps in `string_data` instead. */
  readonly byteSize: number;
  /** Writes one element little-endian, as ONNX requires of `raw_data`; unused for BYTES. */
  readonly write: (view: DataView, byteOffset: number, value: number | bigint) => void;
}

const noRawData = (): never => {
  throw new Error("BYTES tensors have no raw_data; they are written to string_data");
};

/** The one OIP → ONNX datatype table. */
export const onnxDatatypeTable: Readonly<Record<Datatype, OnnxDatatypeInfo>> = {
  BOOL: { elemType: TensorProto_DataType.BOOL, byteSize: 1, write: (v, o, x) => v.setUint8(o, x ? 1 : 0) },
  UINT8: { elemType: TensorProto_DataType.UINT8, byteSize: 1, write: (v, o, x) => v.setUint8(o, Number(x)) },
  UINT16: {
    elemType: TensorProto_DataType.UINT16,
    byteSize: 2,
    write: (v, o, x) => v.setUint16(o, Number(x), true),
  },
  UINT32: {
    elemType: TensorProto_DataType.UINT32,
    byteSize: 4,
    write: (v, o, x) => v.setUint32(o, Number(x), true),
  },
  UINT64: {
    elemType: TensorProto_DataType.UINT64,
    byteSize: 8,
    write: (v, o, x) => v.setBigUint64(o, BigInt(x), true),
  },
  INT8: { elemType: TensorProto_DataType.INT8, byteSize: 1, write: (v, o, x) => v.setInt8(o, Number(x)) },
  INT16: {
    elemType: TensorProto_DataType.INT16,
    byteSize: 2,
    write: (v, o, x) => v.setInt16(o, Number(x), true),
  },
  INT32: {
    elemType: TensorProto_DataType.INT32,
    byteSize: 4,
    write: (v, o, x) => v.setInt32(o, Number(x), true),
  },
  INT64: {
    elemType: TensorProto_DataType.INT64,
    byteSize: 8,
    write: (v, o, x) => v.setBigInt64(o, BigInt(x), true),
  },
  // The data are already binary16 bit patterns, so they are written as they are.
  FP16: {
    elemType: TensorProto_DataType.FLOAT16,
    byteSize: 2,
    write: (v, o, x) => v.setUint16(o, Number(x), true),
  },
  FP32: {
    elemType: TensorProto_DataType.FLOAT,
    byteSize: 4,
    write: (v, o, x) => v.setFloat32(o, Number(x), true),
  },
  FP64: {
    elemType: TensorProto_DataType.DOUBLE,
    byteSize: 8,
    write: (v, o, x) => v.setFloat64(o, Number(x), true),
  },
  BYTES: { elemType: TensorProto_DataType.STRING, byteSize: 0, write: noRawData },
};
