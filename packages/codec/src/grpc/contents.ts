import { create } from "@bufbuild/protobuf";
import { type InferTensorContents, InferTensorContentsSchema } from "@tensorwire/proto/oip";
import { type ContentsField, type Datatype, datatypeInfo, datatypeTable } from "../datatype.js";
import { invalidArgument, TensorwireError } from "../error.js";
import type { TensorHeader } from "../internal/raw-contents.js";
import { createTensor, type Tensor } from "../tensor.js";

/**
 * The values of `InferTensorContents`, read-only and array-like so that the fast decoder can hand
 * over typed arrays where protobuf-es has number arrays.
 */
export interface ContentsValues {
  /** BOOL values. */
  readonly boolContents: ArrayLike<boolean>;
  /** INT8, INT16 and INT32 values. */
  readonly intContents: ArrayLike<number>;
  /** INT64 values. */
  readonly int64Contents: ArrayLike<bigint>;
  /** UINT8, UINT16 and UINT32 values. */
  readonly uintContents: ArrayLike<number>;
  /** UINT64 values. */
  readonly uint64Contents: ArrayLike<bigint>;
  /** FP32 values. */
  readonly fp32Contents: ArrayLike<number>;
  /** FP64 values. */
  readonly fp64Contents: ArrayLike<number>;
  /** BYTES elements. */
  readonly bytesContents: ArrayLike<Uint8Array>;
}

/** `fp32Contents` → `fp32_contents`: errors name proto fields as the .proto spells them. */
export function protoFieldName(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export const contentsFields: readonly ContentsField[] = [
  "boolContents",
  "intContents",
  "int64Contents",
  "uintContents",
  "uint64Contents",
  "fp32Contents",
  "fp64Contents",
  "bytesContents",
];

/**
 * Reads a tensor from typed contents: each datatype from its own field (INT8/16/32 from
 * `int_contents`, UINT8/16/32 from `uint_contents`, ...), values range-checked. FP16 has no field.
 */
export function tensorFromContents(header: TensorHeader, contents: ContentsValues | undefined): Tensor {
  const { name } = header;
  const info = datatypeInfo(header.datatype, name);
  const field = info.contentsField;
  if (field === undefined) {
    throw invalidArgument(
      `tensor '${name}': ${info.datatype} has no InferTensorContents field: send it in raw contents`,
      { tensor: name, field: "contents" },
    );
  }
  for (const other of contentsFields) {
    if (other !== field && contents !== undefined && contents[other].length > 0) {
      throw invalidArgument(
        `tensor '${name}': ${info.datatype} data belongs in ${protoFieldName(field)}, got ${protoFieldName(other)}`,
        { tensor: name, field: "contents" },
      );
    }
  }
  return createTensor({ ...header, data: dataFromContents(info.datatype, contents, name) });
}

function dataFromContents(
  datatype: Datatype,
  contents: ContentsValues | undefined,
  tensor: string,
): Tensor["data"] {
  switch (datatype) {
    case "BOOL":
      return Uint8Array.from(contents?.boolContents ?? [], Number);
    case "INT8":
    case "INT16":
    case "INT32":
      return rangeChecked(datatype, contents?.intContents ?? [], tensor);
    case "UINT8":
    case "UINT16":
    case "UINT32":
      return rangeChecked(datatype, contents?.uintContents ?? [], tensor);
    case "INT64":
      return BigInt64Array.from(contents?.int64Contents ?? []);
    case "UINT64":
      return BigUint64Array.from(contents?.uint64Contents ?? []);
    case "FP32": {
      const values = contents?.fp32Contents ?? [];
      return values instanceof Float32Array ? values : Float32Array.from(values);
    }
    case "FP64": {
      const values = contents?.fp64Contents ?? [];
      return values instanceof Float64Array ? values : Float64Array.from(values);
    }
    case "BYTES":
      return Array.from(contents?.bytesContents ?? []);
    case "FP16":
      throw new TensorwireError("internal", "FP16 has no contents field");
  }
}

function rangeChecked(datatype: Datatype, values: ArrayLike<number>, tensor: string): Tensor["data"] {
  const info = datatypeTable[datatype];
  const [lo, hi] = (info.range as readonly [bigint, bigint]).map(Number) as [number, number];
  // Any of the small integer arrays; Int32Array stands for them all to the type checker.
  const out = new (info.TypedArray as Int32ArrayConstructor)(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < lo || v > hi) {
      throw invalidArgument(
        `tensor '${tensor}': ${protoFieldName(info.contentsField as string)}[${i}] is ${v}, out of ${datatype} range [${lo}, ${hi}]`,
        { tensor, field: "contents" },
      );
    }
    out[i] = v;
  }
  return out;
}

/** Writes a tensor's data into the `InferTensorContents` field of its datatype. */
export function tensorToContents(tensor: Tensor): InferTensorContents {
  switch (tensor.datatype) {
    case "BOOL":
      return create(InferTensorContentsSchema, { boolContents: Array.from(tensor.data, (v) => v !== 0) });
    case "INT8":
    case "INT16":
    case "INT32":
      return create(InferTensorContentsSchema, { intContents: Array.from(tensor.data) });
    case "UINT8":
    case "UINT16":
    case "UINT32":
      return create(InferTensorContentsSchema, { uintContents: Array.from(tensor.data) });
    case "INT64":
      return create(InferTensorContentsSchema, { int64Contents: Array.from(tensor.data) });
    case "UINT64":
      return create(InferTensorContentsSchema, { uint64Contents: Array.from(tensor.data) });
    case "FP32":
      return create(InferTensorContentsSchema, { fp32Contents: Array.from(tensor.data) });
    case "FP64":
      return create(InferTensorContentsSchema, { fp64Contents: Array.from(tensor.data) });
    case "BYTES":
      return create(InferTensorContentsSchema, { bytesContents: [...tensor.data] });
    case "FP16":
      throw invalidArgument(
        `tensor '${tensor.name}': FP16 has no InferTensorContents field: send it in raw contents`,
        { tensor: tensor.name, field: "contents" },
      );
  }
}
