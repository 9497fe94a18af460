import { create, fromBinary } from "@bufbuild/protobuf";
import {
  type InferParameter,
  InferParameterSchema,
  type InferTensorContents,
  InferTensorContentsSchema,
  type ModelInferRequest,
  ModelInferRequest_InferInputTensorSchema,
  ModelInferRequest_InferRequestedOutputTensorSchema,
  ModelInferRequestSchema,
  type ModelInferResponse,
  ModelInferResponse_InferOutputTensorSchema,
  ModelInferResponseSchema,
} from "@tensorwire/proto/oip";
import { type ContentsField, type Datatype, datatypeInfo, datatypeTable } from "../datatype.js";
import { invalidArgument, TensorwireError } from "../error.js";
import type { InferRequest, InferResponse, RequestedOutput } from "../infer.js";
import { typedArrayFromLittleEndian } from "../internal/little-endian.js";
import { type TensorHeader, tensorFromRawContents, tensorToRawContents } from "../internal/raw-contents.js";
import { checkUniqueNames } from "../internal/unique-names.js";
import { createTensor, type Parameters, type ParameterValue, type Tensor } from "../tensor.js";

/**
 * OIP gRPC (`ModelInferRequest` / `ModelInferResponse`, protobuf-es v2 messages) to and from the
 * in-memory model: typed `InferTensorContents`, `raw_input_contents` / `raw_output_contents`, and
 * `InferParameter` maps. Plus a fast binary decoder for typed FP32/FP64 contents (see below).
 */

/**
 * The values of `InferTensorContents`, read-only and array-like so that the fast decoder can hand
 * over typed arrays where protobuf-es has number arrays.
 */
export interface ContentsValues {
  readonly boolContents: ArrayLike<boolean>;
  readonly intContents: ArrayLike<number>;
  readonly int64Contents: ArrayLike<bigint>;
  readonly uintContents: ArrayLike<number>;
  readonly uint64Contents: ArrayLike<bigint>;
  readonly fp32Contents: ArrayLike<number>;
  readonly fp64Contents: ArrayLike<number>;
  readonly bytesContents: ArrayLike<Uint8Array>;
}

type ParameterMap = { readonly [key: string]: InferParameter };

/** An `InferInputTensor` or `InferOutputTensor`. */
interface TensorMessage {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly bigint[];
  readonly parameters: ParameterMap;
  readonly contents?: ContentsValues | undefined;
}

export interface GrpcEncodeOptions {
  /**
   * How tensor data travels. "raw" (the default): `raw_*_contents`, little-endian bytes, the fast
   * form and the only one for FP16. "typed": the `InferTensorContents` field of each datatype.
   */
  readonly contents: "raw" | "typed";
}

const defaultEncodeOptions: GrpcEncodeOptions = { contents: "raw" };

/** `fp32Contents` → `fp32_contents`: errors name proto fields as the .proto spells them. */
function protoFieldName(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const contentsFields: readonly ContentsField[] = [
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

const int64Min = -(1n << 63n);
const int64Max = (1n << 63n) - 1n;
const uint64Max = (1n << 64n) - 1n;
const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Reads an `InferParameter` map; an empty map is absent. 64-bit integers become numbers when they
 * fit in 2^53 and stay `bigint` otherwise, so REST and gRPC callers see the same values.
 */
export function parametersFromGrpc(map: ParameterMap, tensor?: string): Parameters | undefined {
  const keys = Object.keys(map);
  if (keys.length === 0) {
    return undefined;
  }
  const out: Record<string, ParameterValue> = {};
  for (const key of keys) {
    const choice = (map[key] as InferParameter).parameterChoice;
    if (choice.case === undefined) {
      // A peer's field this proto does not know (or none at all): the value is unknown, not empty.
      const where = tensor === undefined ? "" : `tensor '${tensor}': `;
      throw invalidArgument(`${where}parameter '${key}' has no value of a known kind`, {
        tensor,
        field: "parameters",
      });
    }
    const v = choice.value;
    const value = typeof v === "bigint" && v >= -maxSafe && v <= maxSafe ? Number(v) : v;
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  }
  return out;
}

/**
 * Writes parameters as `InferParameter`s: integers as `int64_param` (or `uint64_param` above
 * INT64's range), other numbers (-0 included) as `double_param`. KServe's and Seldon's protos lack
 * `double_param` and `uint64_param`; such peers drop those values.
 */
export function parametersToGrpc(parameters: Parameters | undefined): { [key: string]: InferParameter } {
  const out: { [key: string]: InferParameter } = {};
  for (const [key, value] of Object.entries(parameters ?? {})) {
    Object.defineProperty(out, key, {
      value: create(InferParameterSchema, { parameterChoice: parameterChoice(key, value) }),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return out;
}

function parameterChoice(key: string, value: ParameterValue): InferParameter["parameterChoice"] {
  switch (typeof value) {
    case "string":
      return { case: "stringParam", value };
    case "boolean":
      return { case: "boolParam", value };
    case "number":
      // -0 is an integer to isSafeInteger, but only a double keeps its sign.
      return Number.isSafeInteger(value) && !Object.is(value, -0)
        ? { case: "int64Param", value: BigInt(value) }
        : { case: "doubleParam", value };
    case "bigint":
      if (value >= int64Min && value <= int64Max) {
        return { case: "int64Param", value };
      }
      if (value >= 0n && value <= uint64Max) {
        return { case: "uint64Param", value };
      }
      throw invalidArgument(`parameter '${key}': ${value} is outside the 64-bit integer range`, {
        field: "parameters",
      });
  }
}

function tensorsFromGrpc(
  messages: readonly TensorMessage[],
  raw: readonly Uint8Array[],
  rawField: "raw_input_contents" | "raw_output_contents",
  kind: "input" | "output",
): Tensor[] {
  if (raw.length > 0 && raw.length !== messages.length) {
    throw invalidArgument(
      `${rawField} has ${raw.length} entries for ${messages.length} ${kind}s: expected one per ${kind}`,
      {
        field: rawField,
      },
    );
  }
  const tensors = messages.map((m, i) => {
    const header: TensorHeader = {
      name: m.name,
      datatype: m.datatype,
      shape: m.shape,
      parameters: parametersFromGrpc(m.parameters, m.name),
    };
    if (raw.length === 0) {
      return tensorFromContents(header, m.contents);
    }
    // An empty `contents` carries no data, so it cannot conflict with the raw entry; MLServer sends
    // one beside every raw output.
    const { contents } = m;
    if (contents !== undefined && contentsFields.some((f) => contents[f].length > 0)) {
      throw invalidArgument(`contents field must not be specified when using ${rawField} for '${m.name}'`, {
        tensor: m.name,
        field: "contents",
      });
    }
    return tensorFromRawContents(header, raw[i] as Uint8Array);
  });
  checkUniqueNames(tensors, kind);
  return tensors;
}

function tensorMessagesToGrpc(
  tensors: readonly Tensor[],
  options: GrpcEncodeOptions,
): { messages: TensorMessage[]; raw: Uint8Array[] } {
  const raw = options.contents === "raw";
  const messages = tensors.map((t) => ({
    name: t.name,
    datatype: t.datatype,
    shape: t.shape.map(BigInt),
    parameters: parametersToGrpc(t.parameters),
    contents: raw ? undefined : tensorToContents(t),
  }));
  return { messages, raw: raw ? tensors.map(tensorToRawContents) : [] };
}

/** The request message's fields this codec reads, so the fast decoder can pass its own tensors. */
type RequestFields = Pick<
  ModelInferRequest,
  "modelName" | "modelVersion" | "id" | "parameters" | "outputs"
> & {
  readonly inputs: readonly TensorMessage[];
  readonly rawInputContents: readonly Uint8Array[];
};

type ResponseFields = Pick<ModelInferResponse, "modelName" | "modelVersion" | "id" | "parameters"> & {
  readonly outputs: readonly TensorMessage[];
  readonly rawOutputContents: readonly Uint8Array[];
};

/** Server side: reads a `ModelInferRequest`. Raw data are views into the message's bytes. */
export function decodeGrpcInferRequest(message: RequestFields): InferRequest {
  const parameters = parametersFromGrpc(message.parameters);
  const inputs = tensorsFromGrpc(message.inputs, message.rawInputContents, "raw_input_contents", "input");
  const outputs = message.outputs.map((o): RequestedOutput => {
    const p = parametersFromGrpc(o.parameters, o.name);
    return p === undefined ? { name: o.name } : { name: o.name, parameters: p };
  });
  checkUniqueNames(outputs, "output");
  return {
    modelName: message.modelName,
    ...(message.modelVersion === "" ? {} : { modelVersion: message.modelVersion }),
    ...(message.id === "" ? {} : { id: message.id }),
    ...(parameters === undefined ? {} : { parameters }),
    inputs,
    // proto3 cannot tell an empty list from an absent one; both mean "all outputs".
    ...(outputs.length === 0 ? {} : { outputs }),
  };
}

/** Client side: reads a `ModelInferResponse`. */
export function decodeGrpcInferResponse(message: ResponseFields): InferResponse {
  const parameters = parametersFromGrpc(message.parameters);
  return {
    modelName: message.modelName,
    ...(message.modelVersion === "" ? {} : { modelVersion: message.modelVersion }),
    ...(message.id === "" ? {} : { id: message.id }),
    ...(parameters === undefined ? {} : { parameters }),
    outputs: tensorsFromGrpc(message.outputs, message.rawOutputContents, "raw_output_contents", "output"),
  };
}

/** Client side: writes a `ModelInferRequest`; `request.modelName` is required on gRPC. */
export function encodeGrpcInferRequest(
  request: InferRequest,
  options: Partial<GrpcEncodeOptions> = {},
): ModelInferRequest {
  if (request.modelName === undefined) {
    throw invalidArgument("a gRPC request names its model: set modelName", { field: "model_name" });
  }
  const { messages, raw } = tensorMessagesToGrpc(request.inputs, { ...defaultEncodeOptions, ...options });
  return create(ModelInferRequestSchema, {
    modelName: request.modelName,
    modelVersion: request.modelVersion ?? "",
    id: request.id ?? "",
    parameters: parametersToGrpc(request.parameters),
    inputs: messages.map((m) => create(ModelInferRequest_InferInputTensorSchema, m as never)),
    outputs: (request.outputs ?? []).map((o) =>
      create(ModelInferRequest_InferRequestedOutputTensorSchema, {
        name: o.name,
        parameters: parametersToGrpc(o.parameters),
      }),
    ),
    rawInputContents: raw,
  });
}

/** Server side: writes a `ModelInferResponse`, raw by default (see `GrpcEncodeOptions`). */
export function encodeGrpcInferResponse(
  response: InferResponse,
  options: Partial<GrpcEncodeOptions> = {},
): ModelInferResponse {
  const { messages, raw } = tensorMessagesToGrpc(response.outputs, { ...defaultEncodeOptions, ...options });
  return create(ModelInferResponseSchema, {
    modelName: response.modelName,
    modelVersion: response.modelVersion ?? "",
    id: response.id ?? "",
    parameters: parametersToGrpc(response.parameters),
    outputs: messages.map((m) => create(ModelInferResponse_InferOutputTensorSchema, m as never)),
    rawOutputContents: raw,
  });
}

/*
 * The fast binary decoder.
 *
 * protobuf-es reads a packed `fp32_contents` element by element into a number array (about 13 ms
 * per MiB), which the tensor then copies into a Float32Array. Packed FP32/FP64 are plain
 * little-endian bytes, so they can become the tensor's data in one step. The decoder checks the
 * framing of the whole message against the schema; where a tensor's `contents` holds nothing but
 * packed `fp32_contents` / `fp64_contents`, it reads them directly and hands protobuf-es a copy of
 * the message in which that `contents` field is renamed to an unknown field of the same size, which
 * protobuf-es skips in O(1). Everything else is read by protobuf-es from the same bytes at the same
 * positions, so the result equals the generated decoder's (the property tests check it).
 *
 * The framing check is what makes that hold: protobuf-es reads a known field by its declared type
 * whatever the wire type says, and does not check that a nested message ends at its declared end,
 * so malformed nesting could make it read the renamed byte as something else. The fast path is
 * therefore taken only when every field, at every depth, has the wire type of its declared type
 * and every nested message ends exactly at its end; otherwise protobuf-es reads the original bytes.
 */

type FieldKind =
  | "varint"
  | "fixed64"
  | "len"
  | "repeatedVarint"
  | "repeatedFixed32"
  | "repeatedFixed64"
  | MessageShape;

interface MessageShape {
  readonly fields: { readonly [number: number]: FieldKind };
}

const wireVarint = 0;
const wireFixed64 = 1;
const wireLen = 2;
const wireFixed32 = 5;

const parameterShape: MessageShape = {
  fields: { 1: "varint", 2: "varint", 3: "len", 4: "fixed64", 5: "varint" },
};
/** A map<string, InferParameter> entry. */
const parameterEntryShape: MessageShape = { fields: { 1: "len", 2: parameterShape } };
const contentsShape: MessageShape = {
  fields: {
    1: "repeatedVarint",
    2: "repeatedVarint",
    3: "repeatedVarint",
    4: "repeatedVarint",
    5: "repeatedVarint",
    6: "repeatedFixed32",
    7: "repeatedFixed64",
    8: "len",
  },
};
const tensorShape: MessageShape = {
  fields: { 1: "len", 2: "len", 3: "repeatedVarint", 4: parameterEntryShape, 5: contentsShape },
};
const requestedOutputShape: MessageShape = { fields: { 1: "len", 2: parameterEntryShape } };
const requestShape: MessageShape = {
  fields: {
    1: "len",
    2: "len",
    3: "len",
    4: parameterEntryShape,
    5: tensorShape,
    6: requestedOutputShape,
    7: "len",
  },
};
const responseShape: MessageShape = {
  fields: { 1: "len", 2: "len", 3: "len", 4: parameterEntryShape, 5: tensorShape, 6: "len" },
};

interface Field {
  readonly number: number;
  readonly wireType: number;
  readonly tagStart: number;
  /** The payload: the bytes after the tag, after the length for wire type 2. */
  readonly start: number;
  readonly end: number;
}

/**
 * The fields of bytes[from, to), with the framing of every nested message checked against `shape`;
 * undefined when anything is not plain (see above).
 */
function frameFields(bytes: Uint8Array, from: number, to: number, shape: MessageShape): Field[] | undefined {
  const fields: Field[] = [];
  let pos = from;
  while (pos < to) {
    const tagStart = pos;
    const tag = readVarint32(bytes, pos, to);
    if (tag === undefined || tag.value < 8) {
      return undefined;
    }
    const number = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    const start = wireType === wireLen ? readVarint32(bytes, tag.end, to) : { value: 0, end: tag.end };
    if (start === undefined) {
      return undefined;
    }
    const end = fieldEnd(bytes, wireType, start.end, start.value, to);
    if (end === undefined || !payloadFits(bytes, shape.fields[number], wireType, start.end, end)) {
      return undefined;
    }
    fields.push({ number, wireType, tagStart, start: start.end, end });
    pos = end;
  }
  return fields;
}

function fieldEnd(
  bytes: Uint8Array,
  wireType: number,
  start: number,
  length: number,
  to: number,
): number | undefined {
  let end: number | undefined;
  switch (wireType) {
    case wireVarint:
      end = varintEnd(bytes, start, to);
      break;
    case wireFixed64:
      end = start + 8;
      break;
    case wireFixed32:
      end = start + 4;
      break;
    case wireLen:
      end = start + length;
      break;
    default:
      // Groups (3, 4) and the invalid wire types 6 and 7.
      return undefined;
  }
  return end !== undefined && end <= to ? end : undefined;
}

/** Whether a field's wire type and payload are what its declared type reads. */
function payloadFits(
  bytes: Uint8Array,
  kind: FieldKind | undefined,
  wireType: number,
  start: number,
  end: number,
): boolean {
  switch (kind) {
    case undefined:
      return true;
    case "varint":
      return wireType === wireVarint;
    case "fixed64":
      return wireType === wireFixed64;
    case "len":
      return wireType === wireLen;
    case "repeatedVarint":
      if (wireType !== wireLen) {
        return wireType === wireVarint;
      }
      for (let pos = start; pos < end; ) {
        const next = varintEnd(bytes, pos, end);
        if (next === undefined) {
          return false;
        }
        pos = next;
      }
      return true;
    case "repeatedFixed32":
      return wireType === wireLen ? (end - start) % 4 === 0 : wireType === wireFixed32;
    case "repeatedFixed64":
      return wireType === wireLen ? (end - start) % 8 === 0 : wireType === wireFixed64;
    default:
      return wireType === wireLen && frameFields(bytes, start, end, kind) !== undefined;
  }
}

/** The end of a varint of at most 10 bytes that ends before `to`. */
function varintEnd(bytes: Uint8Array, pos: number, to: number): number | undefined {
  const limit = Math.min(to, pos + 10);
  for (let p = pos; p < limit; p++) {
    if (((bytes[p] as number) & 0x80) === 0) {
      return p + 1;
    }
  }
  return undefined;
}

/** A varint below 2^31: the tags and lengths of any message under 2 GiB. */
function readVarint32(
  bytes: Uint8Array,
  pos: number,
  to: number,
): { value: number; end: number } | undefined {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (pos >= to) {
      return undefined;
    }
    const b = bytes[pos++] as number;
    if (i === 4 && b > 0x07) {
      return undefined;
    }
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      return { value, end: pos };
    }
  }
  return undefined;
}

/** Field 5 (`contents`), wire type 2, as the one-byte tag every encoder writes. */
const contentsTag = (5 << 3) | wireLen;
/** Field 15, wire type 2: unknown to both tensor messages, and one byte like contentsTag. */
const skippedTag = (15 << 3) | wireLen;

const emptyContents: ContentsValues = {
  boolContents: [],
  intContents: [],
  int64Contents: [],
  uintContents: [],
  uint64Contents: [],
  fp32Contents: [],
  fp64Contents: [],
  bytesContents: [],
};

interface FastTensor {
  /** The tensor's one `contents` field, whose payload protobuf-es is made to skip. */
  readonly field: Field;
  readonly contents: ContentsValues;
}

/** A tensor's contents, read here when they are only packed fp32/fp64 fields, each at most once. */
function fastContents(bytes: Uint8Array, tensor: Field): FastTensor | undefined {
  const contents = (frameFields(bytes, tensor.start, tensor.end, tensorShape) ?? []).filter(
    (f) => f.number === 5,
  );
  const field = contents[0];
  if (contents.length !== 1 || field === undefined || bytes[field.tagStart] !== contentsTag) {
    return undefined;
  }
  let fp32: Float32Array | undefined;
  let fp64: Float64Array | undefined;
  for (const f of frameFields(bytes, field.start, field.end, contentsShape) ?? []) {
    const payload = bytes.subarray(f.start, f.end);
    if (f.wireType === wireLen && f.number === 6 && fp32 === undefined) {
      fp32 = typedArrayFromLittleEndian("FP32", payload, "");
    } else if (f.wireType === wireLen && f.number === 7 && fp64 === undefined) {
      fp64 = typedArrayFromLittleEndian("FP64", payload, "");
    } else {
      return undefined;
    }
  }
  return { field, contents: { ...emptyContents, fp32Contents: fp32 ?? [], fp64Contents: fp64 ?? [] } };
}

/**
 * Messages shorter than this go to protobuf-es as they are: checking the framing first costs more
 * than protobuf-es's whole decode of a small message (1.7× at a [1,16] tensor, see
 * docs/benchmarks.md), and the fast path pays off only once typed contents are long.
 */
const fastPlanMinBytes = 16 * 1024;

/**
 * The tensors whose contents are read here, by index, and the copy of `bytes` protobuf-es reads
 * instead; undefined when protobuf-es should read `bytes` as they are.
 */
function fastPlan(
  bytes: Uint8Array,
  shape: MessageShape,
  minBytes: number,
): { patched: Uint8Array; contents: Map<number, ContentsValues> } | undefined {
  if (bytes.length < minBytes) {
    return undefined;
  }
  const fields = frameFields(bytes, 0, bytes.length, shape);
  if (fields === undefined) {
    return undefined;
  }
  const contents = new Map<number, ContentsValues>();
  const fast: FastTensor[] = [];
  for (const [index, tensor] of fields.filter((f) => f.number === 5).entries()) {
    const f = fastContents(bytes, tensor);
    if (f !== undefined) {
      contents.set(index, f.contents);
      fast.push(f);
    }
  }
  if (fast.length === 0) {
    return undefined;
  }
  // The skipped payloads are never read, so only the bytes around them are copied; the rest of the
  // copy stays zero.
  const patched = new Uint8Array(bytes.length);
  let from = 0;
  for (const { field } of fast) {
    patched.set(bytes.subarray(from, field.start), from);
    patched[field.tagStart] = skippedTag;
    from = field.end;
  }
  patched.set(bytes.subarray(from), from);
  return { patched, contents };
}

function decodeWith<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw invalidArgument(`invalid protobuf message: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Server side: reads a serialized `ModelInferRequest`, equal to
 * `decodeGrpcInferRequest(fromBinary(ModelInferRequestSchema, bytes))` but reading packed FP32/FP64
 * typed contents in one step. Data may be views into `bytes`.
 */
export function decodeGrpcInferRequestBinary(bytes: Uint8Array): InferRequest {
  return decodeRequestBinaryFrom(bytes, fastPlanMinBytes);
}

/**
 * `decodeGrpcInferRequestBinary` taking the fast path from `minBytes` on, not part of the package's
 * API: the tests pass 0 to put small generated messages through the fast path.
 */
export function decodeRequestBinaryFrom(bytes: Uint8Array, minBytes: number): InferRequest {
  const plan = fastPlan(bytes, requestShape, minBytes);
  if (plan === undefined) {
    return decodeGrpcInferRequest(decodeWith(() => fromBinary(ModelInferRequestSchema, bytes)));
  }
  const message = decodeWith(() =>
    fromBinary(ModelInferRequestSchema, plan.patched, { readUnknownFields: false }),
  );
  return decodeGrpcInferRequest({
    ...message,
    inputs: message.inputs.map((t, i) => ({ ...t, contents: plan.contents.get(i) ?? t.contents })),
    rawInputContents: message.rawInputContents,
  });
}

/** Client side: reads a serialized `ModelInferResponse`, like `decodeGrpcInferRequestBinary`. */
export function decodeGrpcInferResponseBinary(bytes: Uint8Array): InferResponse {
  return decodeResponseBinaryFrom(bytes, fastPlanMinBytes);
}

/** `decodeGrpcInferResponseBinary` taking the fast path from `minBytes` on, for the tests. */
export function decodeResponseBinaryFrom(bytes: Uint8Array, minBytes: number): InferResponse {
  const plan = fastPlan(bytes, responseShape, minBytes);
  if (plan === undefined) {
    return decodeGrpcInferResponse(decodeWith(() => fromBinary(ModelInferResponseSchema, bytes)));
  }
  const message = decodeWith(() =>
    fromBinary(ModelInferResponseSchema, plan.patched, { readUnknownFields: false }),
  );
  return decodeGrpcInferResponse({
    ...message,
    outputs: message.outputs.map((t, i) => ({ ...t, contents: plan.contents.get(i) ?? t.contents })),
  });
}
