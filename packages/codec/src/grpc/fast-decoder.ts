import { fromBinary } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { ModelInferRequestSchema, ModelInferResponseSchema } from "@tensorwire/proto/oip";
import { invalidArgument } from "../error.js";
import type { InferRequest, InferResponse } from "../infer.js";
import { typedArrayFromLittleEndian } from "../internal/little-endian.js";
import type { ContentsValues } from "./contents.js";
import { decodeGrpcInferRequest, decodeGrpcInferResponse } from "./infer-message.js";

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
 * The scan reads tags, lengths and varints with protobuf-es's own `BinaryReader`, which frames them
 * as its decoder does and measured no slower than a hand-written scan (docs/benchmarks.md).
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
 * undefined when anything is not plain (see above). Tags, lengths and varints are read with
 * protobuf-es's own `BinaryReader`, so they are framed exactly as its decoder frames them.
 */
function frameFields(
  reader: BinaryReader,
  from: number,
  to: number,
  shape: MessageShape,
): Field[] | undefined {
  const fields: Field[] = [];
  reader.pos = from;
  try {
    while (reader.pos < to) {
      const tagStart = reader.pos;
      const [number, wireType] = reader.tag();
      const length = wireType === WireType.LengthDelimited ? reader.uint32() : 0;
      const payloadStart = reader.pos;
      const end = fieldEnd(reader, wireType, length, to);
      if (end === undefined || !payloadFits(reader, shape.fields[number], wireType, payloadStart, end)) {
        return undefined;
      }
      fields.push({ number, wireType, tagStart, start: payloadStart, end });
      reader.pos = end;
    }
  } catch {
    // An illegal tag or varint, or one running past the end of the bytes.
    return undefined;
  }
  return fields;
}

/** The end of the field whose payload starts at `reader.pos`; `length` is wire type 2's. */
function fieldEnd(reader: BinaryReader, wireType: number, length: number, to: number): number | undefined {
  let end: number;
  switch (wireType) {
    case WireType.Varint:
      // uint32() frames a varint of up to 10 bytes like every protobuf-es varint reader, and
      // allocates nothing (skip() returns a subarray).
      reader.uint32();
      end = reader.pos;
      break;
    case WireType.Bit64:
      end = reader.pos + 8;
      break;
    case WireType.Bit32:
      end = reader.pos + 4;
      break;
    case WireType.LengthDelimited:
      end = reader.pos + length;
      break;
    default:
      // Groups, which no field of these messages is.
      return undefined;
  }
  return end <= to ? end : undefined;
}

/** Whether a field's wire type and payload are what its declared type reads. */
function payloadFits(
  reader: BinaryReader,
  kind: FieldKind | undefined,
  wireType: number,
  start: number,
  end: number,
): boolean {
  switch (kind) {
    case undefined:
      return true;
    case "varint":
      return wireType === WireType.Varint;
    case "fixed64":
      return wireType === WireType.Bit64;
    case "len":
      return wireType === WireType.LengthDelimited;
    case "repeatedVarint":
      if (wireType !== WireType.LengthDelimited) {
        return wireType === WireType.Varint;
      }
      // protobuf-es reads packed varints while pos < end; each must end within the payload.
      reader.pos = start;
      while (reader.pos < end) {
        reader.uint32();
      }
      return reader.pos === end;
    case "repeatedFixed32":
      return wireType === WireType.LengthDelimited ? (end - start) % 4 === 0 : wireType === WireType.Bit32;
    case "repeatedFixed64":
      return wireType === WireType.LengthDelimited ? (end - start) % 8 === 0 : wireType === WireType.Bit64;
    default:
      return wireType === WireType.LengthDelimited && frameFields(reader, start, end, kind) !== undefined;
  }
}

/** Field 5 (`contents`), wire type 2, as the one-byte tag every encoder writes. */
const contentsTag = (5 << 3) | WireType.LengthDelimited;
/** Field 15, wire type 2: unknown to both tensor messages, and one byte like contentsTag. */
const skippedTag = (15 << 3) | WireType.LengthDelimited;

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
function fastContents(reader: BinaryReader, bytes: Uint8Array, tensor: Field): FastTensor | undefined {
  const contents = (frameFields(reader, tensor.start, tensor.end, tensorShape) ?? []).filter(
    (f) => f.number === 5,
  );
  const field = contents[0];
  if (contents.length !== 1 || field === undefined || bytes[field.tagStart] !== contentsTag) {
    return undefined;
  }
  let fp32: Float32Array | undefined;
  let fp64: Float64Array | undefined;
  for (const f of frameFields(reader, field.start, field.end, contentsShape) ?? []) {
    const payload = bytes.subarray(f.start, f.end);
    if (f.wireType === WireType.LengthDelimited && f.number === 6 && fp32 === undefined) {
      fp32 = typedArrayFromLittleEndian("FP32", payload, "");
    } else if (f.wireType === WireType.LengthDelimited && f.number === 7 && fp64 === undefined) {
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
  const reader = new BinaryReader(bytes);
  const fields = frameFields(reader, 0, bytes.length, shape);
  if (fields === undefined) {
    return undefined;
  }
  const contents = new Map<number, ContentsValues>();
  const fast: FastTensor[] = [];
  for (const [index, tensor] of fields.filter((f) => f.number === 5).entries()) {
    const f = fastContents(reader, bytes, tensor);
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
 * typed contents in one step. Data may be views into `bytes`. Malformed bytes are an
 * `invalid_argument` error.
 *
 * @example
 * // In a gRPC handler that receives the serialized message:
 * const request = decodeGrpcInferRequestBinary(bytes);
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
