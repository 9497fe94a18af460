import { create, fromJson, type JsonValue as ProtoJsonValue, toJson } from "@bufbuild/protobuf";
import { ListValueSchema, ValueSchema } from "@bufbuild/protobuf/wkt";
import {
  type DefaultData,
  DefaultDataSchema,
  type SeldonMessage,
  SeldonMessageSchema,
  TensorSchema as SeldonTensorSchema,
} from "@tensorwire/proto/seldon";
import { DataType, type TensorProto, TensorProtoSchema } from "@tensorwire/proto/tensorflow";
import { type Datatype, datatypeInfo, datatypeTable } from "../datatype.js";
import { invalidArgument, TensorwireError } from "../error.js";
import { halfToNumber } from "../fp16.js";
import { base64Decode, base64Encode } from "../internal/base64.js";
import { describeValue } from "../internal/describe-value.js";
import {
  checkShape,
  dialectValues,
  type JsonDialect,
  nestedToTensor,
  tensorToNested,
} from "../internal/json-values.js";
import { littleEndianBytes, typedArrayFromLittleEndian } from "../internal/little-endian.js";
import type { JsonValue } from "../json-text.js";
import type { TensorMetadata } from "../metadata.js";
import { elementCount, formatShape } from "../shape.js";
import { createTensor, type Tensor, type TensorData } from "../tensor.js";
import { tensorDataFromValues } from "../tensor-data-from-values.js";

/**
 * Seldon Core v1 `SeldonMessage` (prediction.proto), as REST JSON and as protobuf-es messages.
 *
 * `data` (DefaultData) holds one tensor in one of three encodings, plus optional `names`:
 * - `ndarray`: nested JSON lists (a protobuf ListValue). Shape comes from the nesting (ragged is
 *   an error); datatype from the values: booleans → BOOL, strings → BYTES, numbers → FP64
 *   (ListValue numbers are doubles, and JSON cannot tell 1 from 1.0, so integers are not guessed
 *   as INT64). Mixed kinds are an error although Seldon's numpy would build an object array.
 *   NaN/±Infinity are written as null (lossy: ±Infinity reads back as NaN).
 * - `tensor`: `{shape, values}` with values as doubles: always FP64 unless `spec` says otherwise.
 * - `tftensor`: a `tensorflow.TensorProto`, carrying its own datatype (see `tensorFromTensorProto`).
 * `names` label the last dimension (a [N, k] tensor has k names), so their count must match it.
 *
 * `strData`, `binData` and `jsonData` are not tensors: they pass through as their own kinds.
 * `meta` and `status` are left to the caller (the server copies `meta.puid`, sets `status`).
 */

/** The three tensor encodings of Seldon's `DefaultData`. */
export type SeldonEncoding = "ndarray" | "tensor" | "tftensor";

/** What a `SeldonMessage` holds: a tensor in `data` (with its encoding and names) or a pass-through value. */
export type SeldonPayload =
  | {
      /** A tensor in `data`. */
      readonly kind: "data";
      /** How `data` carried it. */
      readonly encoding: SeldonEncoding;
      /** The tensor. */
      readonly tensor: Tensor;
      /** `data.names`: column names, empty when absent. */
      readonly names: readonly string[];
    }
  | {
      /** A string in `strData`. */
      readonly kind: "strData";
      /** The string. */
      readonly value: string;
    }
  | {
      /** Bytes in `binData`. */
      readonly kind: "binData";
      /** The bytes. */
      readonly value: Uint8Array;
    }
  | {
      /** Any JSON in `jsonData`. */
      readonly kind: "jsonData";
      /** The JSON value. */
      readonly value: JsonValue;
    };

/** Options of `decodeSeldonJson` and `decodeSeldonMessage`. */
export interface SeldonDecodeOptions {
  /** Seldon tensors are unnamed; this names the decoded tensor. Default `spec.name`, else "input-0". */
  readonly name: string | undefined;
  /** The model's declared tensor: its datatype is applied to `ndarray` and `tensor` values, its shape checked. */
  readonly spec: TensorMetadata | undefined;
  /**
   * Datatypes a `tftensor` may have besides `spec`'s, decoded as sent (the caller casts them): a
   * model that accepts FP64 takes the `DT_DOUBLE` tensors Seldon's Python clients send. Default none.
   */
  readonly acceptDatatypes: readonly Datatype[] | undefined;
}

/** Options of `encodeSeldonJson`, `encodeSeldonMessage` and `tensorToTensorProto`. */
export interface SeldonEncodeOptions {
  /**
   * How `tftensor` carries numbers: "raw" (default) in `tensor_content` as TensorFlow's own
   * `make_tensor_proto` does, or "typed" in the `*_val` fields. BYTES always use `string_val`.
   */
  readonly tftensorContent: "raw" | "typed";
}

const dialect: JsonDialect = { nonFinite: "null", b64: false, int64: "number" };

/**
 * Decodes a SeldonMessage in its REST JSON form (parse the body with `parseJsonText`).
 *
 * @example
 * const payload = decodeSeldonJson({ data: { names: ["a", "b"], ndarray: [[1, 2]] } });
 * if (payload.kind === "data") payload.tensor; // FP64 [1,2] named "input-0"
 */
export function decodeSeldonJson(body: unknown, options: Partial<SeldonDecodeOptions> = {}): SeldonPayload {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidArgument(`expected a SeldonMessage JSON object, got ${describeValue(body)}`);
  }
  const record = body as Record<string, unknown>;
  const kind = oneKind(record, ["data", "strData", "binData", "jsonData", "customData"], "SeldonMessage");
  switch (kind) {
    case "strData": {
      const value = record.strData;
      if (typeof value !== "string") {
        throw invalidArgument(`expected 'strData' to be a string, got ${describeValue(value)}`, {
          field: "strData",
        });
      }
      return { kind, value };
    }
    case "binData": {
      const value = record.binData;
      // proto3 JSON writes bytes as base64 and readers accept the URL-safe alphabet too.
      const text = typeof value === "string" ? value.replace(/-/g, "+").replace(/_/g, "/") : value;
      return { kind, value: base64Decode(text as string, { tensor: "binData", field: "binData" }) };
    }
    case "jsonData":
      return { kind, value: record.jsonData as JsonValue };
    case "customData":
      throw customData();
    default:
      return decodeDataJson(record.data, options);
  }
}

function decodeDataJson(data: unknown, options: Partial<SeldonDecodeOptions>): SeldonPayload {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw invalidArgument(`expected 'data' to be an object, got ${describeValue(data)}`, { field: "data" });
  }
  const record = data as Record<string, unknown>;
  const encoding = oneKind(record, ["ndarray", "tensor", "tftensor"], "data") as SeldonEncoding;
  const names = parseNames(record.names);
  const spec = options.spec;
  const name = options.name ?? spec?.name ?? "input-0";
  let tensor: Tensor;
  if (encoding === "ndarray") {
    if (!Array.isArray(record.ndarray)) {
      throw invalidArgument(`expected 'data.ndarray' to be a list, got ${describeValue(record.ndarray)}`, {
        tensor: name,
        field: "data.ndarray",
      });
    }
    tensor = nestedToTensor(record.ndarray, { name, field: "data.ndarray", spec, dialect });
  } else if (encoding === "tensor") {
    const message = protoFromJson(
      () => fromJson(SeldonTensorSchema, protoJson(record.tensor)),
      "data.tensor",
    );
    tensor = seldonTensor(message.shape, message.values, name, spec);
  } else {
    const proto = protoFromJson(
      () => fromJson(TensorProtoSchema, protoJson(record.tftensor)),
      "data.tftensor",
    );
    tensor = checkedTfTensor(proto, name, spec, options.acceptDatatypes);
  }
  return { kind: "data", encoding, tensor, names: checkNames(names, tensor) };
}

/** Encodes to the REST JSON form; `names` are written even when empty, as Seldon's wrapper does. */
export function encodeSeldonJson(
  payload: SeldonPayload,
  options: Partial<SeldonEncodeOptions> = {},
): { [key: string]: JsonValue } {
  switch (payload.kind) {
    case "strData":
      return { strData: payload.value };
    case "binData":
      return { binData: base64Encode(payload.value) };
    case "jsonData":
      return { jsonData: payload.value };
  }
  const { tensor, encoding } = payload;
  const names = [...checkNames(payload.names, tensor)];
  if (encoding === "ndarray") {
    return { data: { names, ndarray: ndarray(tensor) } };
  }
  if (encoding === "tensor") {
    return { data: { names, tensor: toJson(SeldonTensorSchema, seldonTensorMessage(tensor)) as JsonValue } };
  }
  const proto = tensorToTensorProto(tensor, options);
  return { data: { names, tftensor: toJson(TensorProtoSchema, proto) as JsonValue } };
}

/** Decodes a protobuf-es `SeldonMessage` (gRPC). */
export function decodeSeldonMessage(
  message: SeldonMessage,
  options: Partial<SeldonDecodeOptions> = {},
): SeldonPayload {
  const oneof = message.dataOneof;
  switch (oneof.case) {
    case "strData":
      return { kind: "strData", value: oneof.value };
    case "binData":
      return { kind: "binData", value: oneof.value };
    case "jsonData":
      return { kind: "jsonData", value: toJson(ValueSchema, oneof.value) as JsonValue };
    case "customData":
      throw customData();
    case "data":
      return decodeDefaultData(oneof.value, options);
    default:
      throw invalidArgument("expected SeldonMessage to hold data, strData, binData or jsonData, got none", {
        field: "data_oneof",
      });
  }
}

function decodeDefaultData(data: DefaultData, options: Partial<SeldonDecodeOptions>): SeldonPayload {
  const spec = options.spec;
  const name = options.name ?? spec?.name ?? "input-0";
  const oneof = data.dataOneof;
  let tensor: Tensor;
  switch (oneof.case) {
    case "ndarray":
      tensor = nestedToTensor(toJson(ListValueSchema, oneof.value), {
        name,
        field: "data.ndarray",
        spec,
        dialect,
      });
      break;
    case "tensor":
      tensor = seldonTensor(oneof.value.shape, oneof.value.values, name, spec);
      break;
    case "tftensor":
      tensor = checkedTfTensor(oneof.value, name, spec, options.acceptDatatypes);
      break;
    default:
      throw invalidArgument("expected DefaultData to hold ndarray, tensor or tftensor, got none", {
        field: "data",
      });
  }
  return { kind: "data", encoding: oneof.case, tensor, names: checkNames(data.names, tensor) };
}

/** Encodes to a protobuf-es `SeldonMessage` (gRPC). */
export function encodeSeldonMessage(
  payload: SeldonPayload,
  options: Partial<SeldonEncodeOptions> = {},
): SeldonMessage {
  switch (payload.kind) {
    case "strData":
      return create(SeldonMessageSchema, { dataOneof: { case: "strData", value: payload.value } });
    case "binData":
      return create(SeldonMessageSchema, { dataOneof: { case: "binData", value: payload.value } });
    case "jsonData":
      return create(SeldonMessageSchema, {
        dataOneof: {
          case: "jsonData",
          value: protoFromJson(() => fromJson(ValueSchema, protoJson(payload.value, Number)), "jsonData"),
        },
      });
  }
  const { tensor, encoding } = payload;
  const names = [...checkNames(payload.names, tensor)];
  let dataOneof: DefaultData["dataOneof"];
  if (encoding === "ndarray") {
    dataOneof = { case: "ndarray", value: fromJson(ListValueSchema, ndarray(tensor) as ProtoJsonValue) };
  } else if (encoding === "tensor") {
    dataOneof = { case: "tensor", value: seldonTensorMessage(tensor) };
  } else {
    dataOneof = { case: "tftensor", value: tensorToTensorProto(tensor, options) };
  }
  const data = create(DefaultDataSchema, { names, dataOneof });
  return create(SeldonMessageSchema, { dataOneof: { case: "data", value: data } });
}

/** ndarray is a ListValue, which cannot hold a bare scalar. */
function ndarray(tensor: Tensor): JsonValue {
  if (tensor.shape.length === 0) {
    throw invalidArgument(
      `tensor '${tensor.name}': ndarray cannot carry a scalar (shape []); use shape [1]`,
      {
        tensor: tensor.name,
        field: "data.ndarray",
      },
    );
  }
  return tensorToNested(tensor, { dialect });
}

function seldonTensor(
  shape: readonly number[],
  values: readonly number[],
  name: string,
  spec?: TensorMetadata,
): Tensor {
  const where = { tensor: name, field: "data.tensor.values" };
  if (values.length !== elementCount(shape)) {
    throw invalidArgument(
      `tensor '${name}': data.tensor: expected ${elementCount(shape)} values for shape ${formatShape(shape)}, got ${values.length}`,
      where,
    );
  }
  const datatype = spec === undefined ? "FP64" : datatypeInfo(spec.datatype, name).datatype;
  if (spec !== undefined) {
    checkShape(shape, spec);
  }
  const data =
    datatype === "FP64"
      ? Float64Array.from(values)
      : tensorDataFromValues(datatype, values, dialectValues(where, dialect));
  return createTensor({ name, datatype, shape, data });
}

function seldonTensorMessage(tensor: Tensor) {
  if (tensor.datatype === "BYTES" || tensor.datatype === "BOOL") {
    throw invalidArgument(
      `tensor '${tensor.name}': Seldon's tensor encoding holds doubles; ${tensor.datatype} needs ndarray or tftensor`,
      { tensor: tensor.name },
    );
  }
  const values =
    tensor.datatype === "FP16"
      ? Array.from(tensor.data, halfToNumber)
      : Array.from(tensor.data as ArrayLike<number | bigint>, Number);
  return create(SeldonTensorSchema, { shape: [...tensor.shape], values });
}

function checkedTfTensor(
  proto: TensorProto,
  name: string,
  spec: TensorMetadata | undefined,
  accept: readonly Datatype[] = [],
): Tensor {
  const tensor = tensorFromTensorProto(proto, name);
  if (spec !== undefined) {
    const want = datatypeInfo(spec.datatype, name).datatype;
    if (want !== tensor.datatype && !accept.includes(tensor.datatype)) {
      throw invalidArgument(`tensor '${name}': expected datatype ${want}, got ${tensor.datatype}`, {
        tensor: name,
        field: "data.tftensor.dtype",
      });
    }
    checkShape(tensor.shape, spec);
  }
  return tensor;
}

// TensorFlow dtype ↔ OIP datatype; each TF type reads its values from one `*_val` field
// (tensor.proto's comments). DT_BFLOAT16, complex, quantized and float8 types have no OIP datatype.
const tfTypes: ReadonlyArray<readonly [DataType, Datatype, ValField]> = [
  [DataType.DT_FLOAT, "FP32", "floatVal"],
  [DataType.DT_DOUBLE, "FP64", "doubleVal"],
  [DataType.DT_INT32, "INT32", "intVal"],
  [DataType.DT_INT16, "INT16", "intVal"],
  [DataType.DT_INT8, "INT8", "intVal"],
  [DataType.DT_UINT8, "UINT8", "intVal"],
  [DataType.DT_UINT16, "UINT16", "intVal"],
  [DataType.DT_UINT32, "UINT32", "uint32Val"],
  [DataType.DT_INT64, "INT64", "int64Val"],
  [DataType.DT_UINT64, "UINT64", "uint64Val"],
  [DataType.DT_BOOL, "BOOL", "boolVal"],
  [DataType.DT_HALF, "FP16", "halfVal"],
  [DataType.DT_STRING, "BYTES", "stringVal"],
];

type ValField =
  | "floatVal"
  | "doubleVal"
  | "intVal"
  | "uint32Val"
  | "int64Val"
  | "uint64Val"
  | "boolVal"
  | "halfVal"
  | "stringVal";

const snake = (field: ValField): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A TensorProto → a tensor. Values come from `tensor_content` (little-endian element bytes) when
 * it is non-empty, else from the dtype's `*_val` field, which must hold exactly one value per
 * element, or a single value that fills the whole shape (TensorFlow's constant shorthand).
 */
export function tensorFromTensorProto(proto: TensorProto, name: string): Tensor {
  const where = { tensor: name, field: "tftensor" };
  const entry = tfTypes.find(([dt]) => dt === proto.dtype);
  if (entry === undefined) {
    const dtName = DataType[proto.dtype] ?? String(proto.dtype);
    throw invalidArgument(
      `tensor '${name}': tftensor dtype ${dtName} has no OIP datatype; expected one of ${tfTypes.map(([dt]) => DataType[dt]).join(", ")}`,
      { tensor: name, field: "tftensor.dtype" },
    );
  }
  const [, datatype, field] = entry;
  const shapeProto = proto.tensorShape;
  if (shapeProto?.unknownRank === true) {
    throw invalidArgument(
      `tensor '${name}': tftensor has unknown rank; a tensor needs a concrete shape`,
      where,
    );
  }
  const shape = (shapeProto?.dim ?? []).map((d) => d.size);
  const count = elementCount(shape.map(Number));
  const content = proto.tensorContent;
  let data: TensorData;
  if (content.length > 0) {
    if (datatype === "BYTES") {
      throw invalidArgument(`tensor '${name}': DT_STRING values go in string_val, not tensor_content`, where);
    }
    const size = datatypeTable[datatype].byteSize;
    if (content.length !== count * size) {
      throw invalidArgument(
        `tensor '${name}': tensor_content: expected ${count * size} bytes for ${datatype} shape ${formatShape(shape)}, got ${content.length}`,
        where,
      );
    }
    data = typedArrayFromLittleEndian(datatype, content, name);
    if (datatype === "BOOL" && (data as Uint8Array).some((b) => b > 1)) {
      throw invalidArgument(`tensor '${name}': tensor_content: DT_BOOL bytes must be 0 or 1`, where);
    }
  } else {
    const values = proto[field] as ArrayLike<number | bigint | boolean | Uint8Array>;
    const n = values.length;
    if (n !== count && !(n === 1 && count > 1)) {
      throw invalidArgument(
        `tensor '${name}': ${snake(field)}: expected ${count} values for shape ${formatShape(shape)} (or 1 to fill it), got ${n}`,
        where,
      );
    }
    const expanded = n === count ? Array.from(values) : new Array(count).fill(values[0]);
    data =
      datatype === "FP16"
        ? halfBits(expanded as number[], where)
        : datatype === "BYTES"
          ? (expanded as Uint8Array[])
          : tensorDataFromValues(
              datatype,
              expanded,
              dialectValues({ tensor: name, field: snake(field) }, dialect),
            );
  }
  return createTensor({ name, datatype, shape, data });
}

function halfBits(values: readonly number[], where: { tensor: string; field: string }): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) {
      throw invalidArgument(
        `tensor '${where.tensor}': half_val element ${i}: expected a 16-bit pattern, got ${v}`,
        where,
      );
    }
    out[i] = v;
  }
  return out;
}

/** A tensor → a TensorProto, numbers in `tensor_content` (default) or the typed `*_val` field. */
export function tensorToTensorProto(tensor: Tensor, options: Partial<SeldonEncodeOptions> = {}): TensorProto {
  const entry = tfTypes.find(([, d]) => d === tensor.datatype);
  if (entry === undefined) {
    throw invalidArgument(`tensor '${tensor.name}': ${tensor.datatype} has no TensorFlow dtype`, {
      tensor: tensor.name,
    });
  }
  const [dtype, , field] = entry;
  const tensorShape = { dim: tensor.shape.map((d) => ({ size: BigInt(d), name: "" })) };
  if (tensor.datatype === "BYTES") {
    return create(TensorProtoSchema, { dtype, tensorShape, stringVal: tensor.data });
  }
  if ((options.tftensorContent ?? "raw") === "raw") {
    return create(TensorProtoSchema, {
      dtype,
      tensorShape,
      tensorContent: littleEndianBytes(tensor.data).slice(),
    });
  }
  const values =
    tensor.datatype === "BOOL"
      ? Array.from(tensor.data, (b) => b !== 0)
      : Array.from(tensor.data as ArrayLike<unknown>);
  return create(TensorProtoSchema, { dtype, tensorShape, [field]: values });
}

function oneKind(record: Record<string, unknown>, kinds: readonly string[], what: string): string {
  const present = kinds.filter((k) => Object.hasOwn(record, k) && record[k] !== null);
  if (present.length !== 1) {
    throw invalidArgument(
      `expected ${what} to hold exactly one of ${kinds.join(", ")}, got ${present.length === 0 ? "none" : present.join(" and ")}`,
      { field: what },
    );
  }
  return present[0] as string;
}

function parseNames(value: unknown): string[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value) || !value.every((n) => typeof n === "string")) {
    throw invalidArgument(`expected 'data.names' to be a list of strings, got ${describeValue(value)}`, {
      field: "data.names",
    });
  }
  return value as string[];
}

/** Names label the last dimension, so there are as many as its size (or none). */
function checkNames(names: readonly string[], tensor: Tensor): readonly string[] {
  const last = tensor.shape[tensor.shape.length - 1];
  if (names.length > 0 && names.length !== last) {
    throw invalidArgument(
      `tensor '${tensor.name}': expected ${last ?? "no"} names for the last dimension of shape ${formatShape(tensor.shape)}, got ${names.length}`,
      { tensor: tensor.name, field: "data.names" },
    );
  }
  return names;
}

/**
 * `parseJsonText` reads integer literals beyond 2^53 as bigint, which protobuf-es `fromJson` does
 * not take. `convert` turns each into what the target accepts: a string (proto3 JSON reads numbers
 * from strings, keeping int64 exact) or a number (a `google.protobuf.Value` holds doubles).
 */
function protoJson(value: unknown, convert: (n: bigint) => ProtoJsonValue = String): ProtoJsonValue {
  if (typeof value === "bigint") {
    return convert(value);
  }
  if (Array.isArray(value)) {
    return value.map((item) => protoJson(item, convert));
  }
  if (typeof value === "object" && value !== null) {
    const out: { [key: string]: ProtoJsonValue } = {};
    for (const [key, item] of Object.entries(value)) {
      const converted = protoJson(item, convert);
      Object.defineProperty(out, key, {
        value: converted,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value as ProtoJsonValue;
}

function protoFromJson<T>(parse: () => T, field: string): T {
  try {
    return parse();
  } catch (err) {
    throw new TensorwireError(
      "invalid_argument",
      `invalid '${field}': ${err instanceof Error ? err.message : String(err)}`,
      { field },
      { cause: err },
    );
  }
}

function customData(): TensorwireError {
  return new TensorwireError(
    "unimplemented",
    "SeldonMessage customData (google.protobuf.Any) is not supported",
    {
      field: "customData",
    },
  );
}
