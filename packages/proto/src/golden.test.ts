// Wire proof with independent bytes.
//
// testdata/golden/*.bin were written by Google's protobuf Python runtime (upb backend, cross-checked on
// the pure-Python backend) with the schemas that ship in tritonclient 2.73.0 and seldon-core 1.18.2 --
// see testdata/golden/README.md and make_golden.py. For every vector this test
//   (a) decodes the bytes with our protobuf-es types and compares every field with the JSON form the
//       Python runtime printed (json_format.MessageToDict) plus hand-written assertions, and
//   (b) builds the same message in TypeScript with create() from literal values and requires toBinary()
//       to produce exactly the fixture bytes.
// A field number, wire type, packing or oneof that disagrees with upstream fails (a), (b) or both.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  create,
  type DescField,
  type DescMessage,
  equals,
  fromBinary,
  type JsonValue,
  type Message,
  type MessageInitShape,
  type MessageShape,
  ScalarType,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import {
  type ListValue,
  ListValueSchema,
  NullValue,
  StructSchema,
  type Value,
  ValueSchema,
} from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import {
  type InferParameter,
  ModelInferRequestSchema,
  type ModelInferResponse,
  ModelInferResponseSchema,
  ModelMetadataResponseSchema,
  ModelReadyRequestSchema,
  type ModelRepositoryParameter,
  ModelStatisticsResponseSchema,
  ModelStreamInferResponseSchema,
  RepositoryIndexResponseSchema,
  RepositoryModelLoadRequestSchema,
  ServerMetadataResponseSchema,
} from "./oip.js";
import {
  FeedbackSchema,
  type MetaSchema,
  Metric_MetricType,
  SeldonGraphMetadataSchema,
  type SeldonMessage,
  SeldonMessageListSchema,
  SeldonMessageSchema,
  type SeldonModelMetadata,
  SeldonModelMetadataSchema,
  Status_StatusFlag,
} from "./seldon.js";
import { DataType } from "./tensorflow.js";

// ---------------------------------------------------------------------------------------------------
// fixtures
// ---------------------------------------------------------------------------------------------------

interface GoldenVector {
  name: string;
  file: string;
  type: string;
  description: string;
  size: number;
  sha256: string;
  hex: string;
  json: JsonValue;
}

const goldenDir = new URL("../testdata/golden/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("manifest.json", goldenDir), "utf8")) as {
  vectors: GoldenVector[];
};
const fixtureBytes = (v: GoldenVector): Uint8Array =>
  new Uint8Array(readFileSync(new URL(v.file, goldenDir)));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

// ---------------------------------------------------------------------------------------------------
// value helpers (independent of the Python script: raw tensors are packed here with DataView)
// ---------------------------------------------------------------------------------------------------

const I64_MIN = -9223372036854775808n;
const I64_MAX = 9223372036854775807n;
const U64_MAX = 18446744073709551615n;
const BEYOND_2_53 = 9007199254740993n; // 2^53 + 1: not representable as a JS number

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function packLE<T>(
  width: number,
  values: readonly T[],
  put: (d: DataView, offset: number, v: T) => void,
): Uint8Array {
  const out = new Uint8Array(width * values.length);
  const view = new DataView(out.buffer);
  for (const [i, v] of values.entries()) put(view, i * width, v);
  return out;
}
const f32le = (...xs: number[]) => packLE(4, xs, (d, o, v) => d.setFloat32(o, v, true));
const f64le = (...xs: number[]) => packLE(8, xs, (d, o, v) => d.setFloat64(o, v, true));
const i32le = (...xs: number[]) => packLE(4, xs, (d, o, v) => d.setInt32(o, v, true));
const i64le = (...xs: bigint[]) => packLE(8, xs, (d, o, v) => d.setBigInt64(o, v, true));
/** KServe/Triton BYTES raw layout: per element a uint32 little-endian length, then the bytes. */
function bytesTensor(...items: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(items.reduce((n, b) => n + 4 + b.length, 0));
  const view = new DataView(out.buffer);
  let o = 0;
  for (const b of items) {
    view.setUint32(o, b.length, true);
    out.set(b, o + 4);
    o += 4 + b.length;
  }
  return out;
}

function readF32(b: Uint8Array): number[] {
  const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: b.byteLength / 4 }, (_, i) => d.getFloat32(i * 4, true));
}
function readI32(b: Uint8Array): number[] {
  const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: b.byteLength / 4 }, (_, i) => d.getInt32(i * 4, true));
}
function readI64(b: Uint8Array): bigint[] {
  const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: b.byteLength / 8 }, (_, i) => d.getBigInt64(i * 8, true));
}
function readBytesTensor(b: Uint8Array): string[] {
  const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: string[] = [];
  for (let o = 0; o < b.byteLength; ) {
    const n = d.getUint32(o, true);
    out.push(new TextDecoder().decode(b.subarray(o + 4, o + 4 + n)));
    o += 4 + n;
  }
  return out;
}

// InferParameter / ModelRepositoryParameter inits
const infer = {
  bool: (value: boolean) => ({ parameterChoice: { case: "boolParam" as const, value } }),
  int64: (value: bigint) => ({ parameterChoice: { case: "int64Param" as const, value } }),
  string: (value: string) => ({ parameterChoice: { case: "stringParam" as const, value } }),
  double: (value: number) => ({ parameterChoice: { case: "doubleParam" as const, value } }),
  uint64: (value: bigint) => ({ parameterChoice: { case: "uint64Param" as const, value } }),
};
const repo = {
  ...infer,
  bytes: (value: Uint8Array) => ({ parameterChoice: { case: "bytesParam" as const, value } }),
};

// google.protobuf.Value / ListValue built explicitly, one oneof case at a time
type J = null | boolean | number | string | J[] | { [key: string]: J };
function value(j: J): Value {
  if (j === null) return create(ValueSchema, { kind: { case: "nullValue", value: NullValue.NULL_VALUE } });
  if (typeof j === "boolean") return create(ValueSchema, { kind: { case: "boolValue", value: j } });
  if (typeof j === "number") return create(ValueSchema, { kind: { case: "numberValue", value: j } });
  if (typeof j === "string") return create(ValueSchema, { kind: { case: "stringValue", value: j } });
  if (Array.isArray(j)) return create(ValueSchema, { kind: { case: "listValue", value: listValue(j) } });
  // Struct.fields is a map: keys are written in the object's insertion order (see MAP ORDER below)
  const fields = Object.fromEntries(Object.entries(j).map(([k, v]) => [k, value(v)]));
  return create(ValueSchema, { kind: { case: "structValue", value: create(StructSchema, { fields }) } });
}
function listValue(items: J[]): ListValue {
  return create(ListValueSchema, { values: items.map(value) });
}

// ---------------------------------------------------------------------------------------------------
// JSON comparison
// ---------------------------------------------------------------------------------------------------

/**
 * The one legitimate difference between the two proto3 JSON printers: a `float` (32-bit) field.
 * Python prints the shortest decimal that round-trips through float32 (0.1f -> 0.1), protobuf-es
 * prints the float64 widening of the same float32 (0.1f -> 0.10000000149011612). Both denote the
 * same float32, so for float fields only (found through our schema), both sides are mapped through
 * Math.fround before comparing. Everything else (int64 as strings, base64 bytes, enum names,
 * lowerCamelCase names, omitted defaults, -0) must match as printed.
 */
function normaliseFloat32(desc: DescMessage, json: JsonValue): JsonValue {
  // well-known types have their own JSON mapping and carry no float32 fields we use
  if (
    desc.typeName.startsWith("google.protobuf.") ||
    json === null ||
    typeof json !== "object" ||
    Array.isArray(json)
  ) {
    return json;
  }
  const out: { [k: string]: JsonValue } = {};
  for (const [key, v] of Object.entries(json)) {
    const field = desc.fields.find((f) => f.jsonName === key);
    out[key] = field === undefined ? v : normaliseField(field, v);
  }
  return out;
}
function normaliseField(field: DescField, v: JsonValue): JsonValue {
  const f32 = (x: JsonValue): JsonValue => (typeof x === "number" ? Math.fround(x) : x);
  const isObj = (x: JsonValue): x is { [k: string]: JsonValue } =>
    x !== null && typeof x === "object" && !Array.isArray(x);
  switch (field.fieldKind) {
    case "scalar":
      return field.scalar === ScalarType.FLOAT ? f32(v) : v;
    case "message":
      return normaliseFloat32(field.message, v);
    case "list":
      if (!Array.isArray(v)) return v;
      if (field.listKind === "scalar") return field.scalar === ScalarType.FLOAT ? v.map(f32) : v;
      if (field.listKind === "message") return v.map((x) => normaliseFloat32(field.message, x));
      return v;
    case "map":
      if (!isObj(v)) return v;
      if (field.mapKind === "scalar" && field.scalar === ScalarType.FLOAT) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, f32(x)]));
      }
      if (field.mapKind === "message") {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normaliseFloat32(field.message, x)]));
      }
      return v;
    default:
      return v;
  }
}

/** Paths of messages that kept unknown fields after decoding: a field number we do not declare. */
function unknownFields(m: unknown, path = "$"): string[] {
  if (m === null || typeof m !== "object" || m instanceof Uint8Array) return [];
  if (Array.isArray(m)) return m.flatMap((x, i) => unknownFields(x, `${path}[${i}]`));
  const out: string[] = [];
  const unknown = (m as { $unknown?: { no: number }[] }).$unknown;
  if (unknown !== undefined && unknown.length > 0)
    out.push(`${path}: field(s) ${unknown.map((u) => u.no).join(", ")}`);
  for (const [k, v] of Object.entries(m)) if (k !== "$unknown") out.push(...unknownFields(v, `${path}.${k}`));
  return out;
}

// ---------------------------------------------------------------------------------------------------
// the cases: one per vector, built independently from the values in make_golden.py
// ---------------------------------------------------------------------------------------------------

interface GoldenCase {
  schema: DescMessage;
  build(): Message;
  check(decoded: Message): void;
}
function golden<Desc extends DescMessage>(
  schema: Desc,
  init: NoInfer<MessageInitShape<Desc>>,
  check: (m: NoInfer<MessageShape<Desc>>) => void,
): GoldenCase {
  return { schema, build: () => create(schema, init), check: (m) => check(m as MessageShape<Desc>) };
}

// MAP ORDER: Python's SerializeToString(deterministic=True) writes map entries sorted by key;
// protobuf-es writes them in the insertion order of the JS object (Object.keys). Every map literal
// below is therefore written in sorted key order, which is also what a sorted encoder emits. The
// "map order" test at the end shows that another order changes only the bytes, not the message.

const oipRawResponse = (): MessageInitShape<typeof ModelInferResponseSchema> => ({
  modelName: "golden-raw",
  modelVersion: "1",
  id: "req-raw-0002",
  outputs: [
    { name: "out_fp32", datatype: "FP32", shape: [2n] },
    { name: "out_int32", datatype: "INT32", shape: [3n] },
    { name: "out_bytes", datatype: "BYTES", shape: [2n] },
  ],
  rawOutputContents: [f32le(0.75, -8.0), i32le(-2147483648, 0, 7), bytesTensor(utf8("cat"), utf8("dog\0"))],
});
function checkOipRawResponse(r: ModelInferResponse | undefined): void {
  expect(r).toBeDefined();
  if (r === undefined) return;
  expect(r.outputs.map((o) => o.name)).toEqual(["out_fp32", "out_int32", "out_bytes"]);
  expect(r.outputs.every((o) => o.contents === undefined)).toBe(true);
  expect(r.rawOutputContents).toHaveLength(3);
  const [fp32, int32, bytes] = r.rawOutputContents as [Uint8Array, Uint8Array, Uint8Array];
  expect(readF32(fp32)).toEqual([0.75, -8]);
  expect(readI32(int32)).toEqual([-2147483648, 0, 7]);
  expect(readBytesTensor(bytes)).toEqual(["cat", "dog\0"]);
}

const seldonMeta = (): MessageInitShape<typeof MetaSchema> => ({
  puid: "puid-0123456789abcdef",
  tags: {
    flag: value(true),
    model: value("iris"),
    nested: value({ deep: { x: -2.5 }, k: [1, "v"] }),
    nothing: value(null),
    score: value(0.5),
  },
  routing: { "ab-test": -1, router: 1 },
  requestPath: { classifier: "seldonio/sklearnserver:1.18.2", router: "seldonio/router:0.1" },
  metrics: [
    { key: "requests", type: Metric_MetricType.COUNTER, value: 1.0, tags: { route: "a" } },
    { key: "load", type: Metric_MetricType.GAUGE, value: 0.3 },
    { key: "latency_ms", type: Metric_MetricType.TIMER, value: 12.5, tags: { a: "1", b: "2" } },
  ],
});

const seldonModelMetadata = (name: string): MessageInitShape<typeof SeldonModelMetadataSchema> => ({
  name,
  versions: ["v1", "v2"],
  platform: "seldon",
  inputs: [
    {
      messagetype: "tensor",
      schema: value({ names: ["sepal_length", "sepal_width", "petal_length", "petal_width"] }),
      name: "input",
      datatype: "FP32",
      shape: [-1n, 4n],
    },
    { messagetype: "strData", name: "comment" },
  ],
  outputs: [{ messagetype: "ndarray", name: "proba", datatype: "FP64", shape: [-1n, 3n] }],
  custom: { author: "seldon-dev", extra: "information" },
});
function checkSeldonModelMetadata(m: SeldonModelMetadata | undefined, name: string): void {
  expect(m?.name).toBe(name);
  expect(m?.inputs[0]?.shape).toEqual([-1n, 4n]);
  expect(m?.inputs[0]?.schema?.kind.case).toBe("structValue");
  expect(m?.outputs[0]?.datatype).toBe("FP64");
  expect(m?.custom).toEqual({ author: "seldon-dev", extra: "information" });
}

function tftensorOf(m: SeldonMessage) {
  expect(m.dataOneof.case).toBe("data");
  const data = m.dataOneof.case === "data" ? m.dataOneof.value : undefined;
  expect(data?.dataOneof.case).toBe("tftensor");
  return data?.dataOneof.case === "tftensor" ? data.dataOneof.value : undefined;
}

const cases: Record<string, GoldenCase> = {
  oip_infer_request_typed: golden(
    ModelInferRequestSchema,
    {
      modelName: "golden-typed",
      modelVersion: "3",
      id: "req-typed-0001",
      parameters: {
        binary_data_output: infer.bool(true),
        flag_false: infer.bool(false),
        sequence_id: infer.int64(-BEYOND_2_53),
        tag: infer.string("golden \u2713 \u00fcn\u00efcode"),
        temperature: infer.double(0.1),
        timeout_us: infer.uint64(U64_MAX),
        zero_int: infer.int64(0n),
      },
      inputs: [
        {
          name: "in_bool",
          datatype: "BOOL",
          shape: [2n, 2n],
          parameters: {
            p_bool: infer.bool(true),
            p_double: infer.double(-1.5e-7),
            p_int64: infer.int64(-5n),
            p_string: infer.string("tensor-level"),
            p_uint64: infer.uint64(BEYOND_2_53),
          },
          contents: { boolContents: [true, false, false, true] },
        },
        {
          name: "in_int",
          datatype: "INT32",
          shape: [4n],
          contents: { intContents: [0, -1, 2147483647, -2147483648] },
        },
        {
          name: "in_int64",
          datatype: "INT64",
          shape: [3n],
          contents: { int64Contents: [I64_MIN, I64_MAX, -2n] },
        },
        { name: "in_uint", datatype: "UINT32", shape: [3n], contents: { uintContents: [0, 1, 4294967295] } },
        {
          name: "in_uint64",
          datatype: "UINT64",
          shape: [2n],
          contents: { uint64Contents: [U64_MAX, BEYOND_2_53] },
        },
        {
          name: "in_fp32",
          datatype: "FP32",
          shape: [1n, 4n],
          contents: { fp32Contents: [0.5, -1.25, 0.1, 3.4028234663852886e38] },
        },
        {
          name: "in_fp64",
          datatype: "FP64",
          shape: [5n],
          contents: { fp64Contents: [1.0, -2.5, 1e-300, 6.02214076e23, -0.0] },
        },
        {
          name: "in_bytes",
          datatype: "BYTES",
          shape: [3n],
          contents: {
            bytesContents: [
              utf8("hello"),
              new Uint8Array(0),
              Uint8Array.of(0, 0xff, 0xfe, ...utf8(" binary")),
            ],
          },
        },
      ],
      outputs: [
        { name: "out_a", parameters: { binary_data: infer.bool(true), classification: infer.int64(3n) } },
        { name: "out_b" },
      ],
    },
    (m) => {
      const p = (k: string): InferParameter["parameterChoice"] | undefined =>
        m.parameters[k]?.parameterChoice;
      // oneof members at their default value are present, not absent
      expect(p("flag_false")).toEqual({ case: "boolParam", value: false });
      expect(p("zero_int")).toEqual({ case: "int64Param", value: 0n });
      expect(p("sequence_id")).toEqual({ case: "int64Param", value: -9007199254740993n });
      expect(p("timeout_us")).toEqual({ case: "uint64Param", value: 18446744073709551615n });
      expect(p("temperature")).toEqual({ case: "doubleParam", value: 0.1 });
      expect(p("tag")).toEqual({ case: "stringParam", value: "golden ✓ ünïcode" });
      expect(m.inputs.map((i) => i.datatype)).toEqual([
        "BOOL",
        "INT32",
        "INT64",
        "UINT32",
        "UINT64",
        "FP32",
        "FP64",
        "BYTES",
      ]);
      const c = m.inputs.map((i) => i.contents);
      expect(c[0]?.boolContents).toEqual([true, false, false, true]);
      expect(c[1]?.intContents).toEqual([0, -1, 2147483647, -2147483648]);
      expect(c[2]?.int64Contents).toEqual([-9223372036854775808n, 9223372036854775807n, -2n]);
      expect(c[3]?.uintContents).toEqual([0, 1, 4294967295]);
      expect(c[4]?.uint64Contents).toEqual([18446744073709551615n, 9007199254740993n]);
      expect(c[5]?.fp32Contents).toEqual([0.5, -1.25, Math.fround(0.1), Math.fround(3.4028234663852886e38)]);
      expect(c[6]?.fp64Contents.slice(0, 4)).toEqual([1, -2.5, 1e-300, 6.02214076e23]);
      expect(Object.is(c[6]?.fp64Contents[4], -0)).toBe(true);
      expect(c[7]?.bytesContents.map((b) => Array.from(b))).toEqual([
        [104, 101, 108, 108, 111],
        [],
        [0, 255, 254, ...utf8(" binary")],
      ]);
      // every content field lives in its own input; nothing leaked into a neighbour
      expect(c[0]?.intContents).toEqual([]);
      expect(c[5]?.fp64Contents).toEqual([]);
      expect(m.inputs[0]?.parameters.p_uint64?.parameterChoice).toEqual({
        case: "uint64Param",
        value: 9007199254740993n,
      });
      expect(m.outputs[0]?.parameters.classification?.parameterChoice).toEqual({
        case: "int64Param",
        value: 3n,
      });
      expect(m.outputs[1]?.parameters).toEqual({});
      expect(m.rawInputContents).toEqual([]);
    },
  ),

  oip_infer_request_raw: golden(
    ModelInferRequestSchema,
    {
      modelName: "golden-raw",
      modelVersion: "1",
      id: "req-raw-0002",
      parameters: { priority: infer.uint64(2n) },
      inputs: [
        { name: "raw_fp32", datatype: "FP32", shape: [2n, 2n] },
        { name: "raw_int64", datatype: "INT64", shape: [3n] },
        { name: "raw_bytes", datatype: "BYTES", shape: [3n] },
        { name: "raw_bool", datatype: "BOOL", shape: [4n] },
      ],
      outputs: [{ name: "out", parameters: { binary_data: infer.bool(true) } }],
      rawInputContents: [
        f32le(1.0, -2.5, 0.25, 1e-3),
        i64le(-1n, 0n, 2n ** 62n),
        bytesTensor(utf8("alpha"), new Uint8Array(0), utf8("καλημέρα")),
        Uint8Array.of(1, 0, 0, 1),
      ],
    },
    (m) => {
      expect(m.inputs.every((i) => i.contents === undefined)).toBe(true);
      expect(m.rawInputContents).toHaveLength(4);
      const [fp32, int64, bytes, bool] = m.rawInputContents as [
        Uint8Array,
        Uint8Array,
        Uint8Array,
        Uint8Array,
      ];
      expect(readF32(fp32)).toEqual([1, -2.5, 0.25, Math.fround(1e-3)]);
      expect(toHex(fp32)).toBe("0000803f000020c00000803e6f12833a");
      expect(readI64(int64)).toEqual([-1n, 0n, 4611686018427387904n]);
      expect(readBytesTensor(bytes)).toEqual(["alpha", "", "καλημέρα"]);
      expect(toHex(bytes.subarray(0, 9))).toBe("05000000616c706861"); // LE length 5 + "alpha"
      expect(Array.from(bool)).toEqual([1, 0, 0, 1]);
      expect(m.parameters.priority?.parameterChoice).toEqual({ case: "uint64Param", value: 2n });
    },
  ),

  oip_infer_response_typed: golden(
    ModelInferResponseSchema,
    {
      modelName: "golden-typed",
      modelVersion: "3",
      id: "req-typed-0001",
      parameters: { sequence_end: infer.bool(true), triton_final_response: infer.bool(true) },
      outputs: [
        {
          name: "probs",
          datatype: "FP32",
          shape: [1n, 3n],
          parameters: { binary_data_size: infer.int64(0n), note: infer.string("softmax") },
          contents: { fp32Contents: [0.25, 0.125, 0.625] },
        },
        { name: "labels", datatype: "INT64", shape: [1n, 1n], contents: { int64Contents: [-7n] } },
        {
          name: "text",
          datatype: "BYTES",
          shape: [2n],
          contents: { bytesContents: [utf8("ok"), utf8("\u00fcn\u00ef")] },
        },
        { name: "mask", datatype: "BOOL", shape: [3n], contents: { boolContents: [false, true, false] } },
        { name: "scores64", datatype: "FP64", shape: [2n], contents: { fp64Contents: [0.1, -1e300] } },
      ],
    },
    (m) => {
      expect(m.outputs.map((o) => o.name)).toEqual(["probs", "labels", "text", "mask", "scores64"]);
      expect(m.outputs[0]?.contents?.fp32Contents).toEqual([0.25, 0.125, 0.625]);
      expect(m.outputs[0]?.shape).toEqual([1n, 3n]);
      expect(m.outputs[0]?.parameters.binary_data_size?.parameterChoice).toEqual({
        case: "int64Param",
        value: 0n,
      });
      expect(m.outputs[1]?.contents?.int64Contents).toEqual([-7n]);
      expect(m.outputs[2]?.contents?.bytesContents.map((b) => new TextDecoder().decode(b))).toEqual([
        "ok",
        "ünï",
      ]);
      expect(m.outputs[3]?.contents?.boolContents).toEqual([false, true, false]);
      expect(m.outputs[4]?.contents?.fp64Contents).toEqual([0.1, -1e300]);
      expect(m.rawOutputContents).toEqual([]);
    },
  ),

  oip_infer_response_raw: golden(ModelInferResponseSchema, oipRawResponse(), checkOipRawResponse),

  oip_model_metadata_response: golden(
    ModelMetadataResponseSchema,
    {
      name: "resnet50",
      versions: ["1", "2"],
      platform: "onnxruntime_onnx",
      inputs: [{ name: "input__0", datatype: "FP32", shape: [-1n, 3n, 224n, 224n] }],
      outputs: [
        { name: "output__0", datatype: "FP32", shape: [-1n, 1000n] },
        { name: "label", datatype: "BYTES", shape: [-1n] },
      ],
    },
    (m) => {
      expect(m.versions).toEqual(["1", "2"]);
      expect(m.platform).toBe("onnxruntime_onnx");
      expect(m.inputs[0]?.shape).toEqual([-1n, 3n, 224n, 224n]);
      expect(m.outputs.map((o) => [o.name, o.datatype, o.shape])).toEqual([
        ["output__0", "FP32", [-1n, 1000n]],
        ["label", "BYTES", [-1n]],
      ]);
    },
  ),

  oip_server_metadata_response: golden(
    ServerMetadataResponseSchema,
    {
      name: "triton",
      version: "2.59.0",
      extensions: ["classification", "sequence", "model_repository", "statistics", "binary_tensor_data"],
    },
    (m) => {
      expect(m.name).toBe("triton");
      expect(m.version).toBe("2.59.0");
      expect(m.extensions).toHaveLength(5);
      expect(m.extensions[4]).toBe("binary_tensor_data");
    },
  ),

  oip_model_ready_request: golden(ModelReadyRequestSchema, { name: "resnet50", version: "1" }, (m) => {
    expect([m.name, m.version]).toEqual(["resnet50", "1"]);
  }),

  oip_repository_index_response: golden(
    RepositoryIndexResponseSchema,
    {
      models: [
        { name: "densenet_onnx", version: "1", state: "READY" },
        { name: "simple", version: "", state: "UNAVAILABLE", reason: "unloaded" },
      ],
    },
    (m) => {
      expect(m.models.map((x) => [x.name, x.version, x.state, x.reason])).toEqual([
        ["densenet_onnx", "1", "READY", ""],
        ["simple", "", "UNAVAILABLE", "unloaded"],
      ]);
    },
  ),

  oip_repository_model_load_request: golden(
    RepositoryModelLoadRequestSchema,
    {
      repositoryName: "",
      modelName: "densenet_onnx",
      parameters: {
        config: repo.string('{"backend":"onnxruntime","max_batch_size":8}'),
        "file:1/model.onnx": repo.bytes(Uint8Array.of(0x08, 0x07, 0x12, 0x04, ...utf8("ONNX"), 0x00, 0xff)),
        poll: repo.bool(false),
        version: repo.int64(1n),
      },
    },
    (m) => {
      const p = (k: string): ModelRepositoryParameter["parameterChoice"] | undefined =>
        m.parameters[k]?.parameterChoice;
      expect(m.modelName).toBe("densenet_onnx");
      expect(p("config")).toEqual({
        case: "stringParam",
        value: '{"backend":"onnxruntime","max_batch_size":8}',
      });
      const file = p("file:1/model.onnx");
      expect(file?.case).toBe("bytesParam");
      expect(file?.value instanceof Uint8Array ? toHex(file.value) : undefined).toBe("080712044f4e4e5800ff");
      expect(p("poll")).toEqual({ case: "boolParam", value: false });
      expect(p("version")).toEqual({ case: "int64Param", value: 1n });
    },
  ),

  oip_model_statistics_response: golden(
    ModelStatisticsResponseSchema,
    (() => {
      const d = (i: number) => ({ count: BigInt(42 - i), ns: 123456789n * BigInt(i + 1) });
      const batch = (bs: bigint) => ({
        batchSize: bs,
        computeInput: { count: bs * 2n, ns: bs * 1000n },
        computeInfer: { count: bs * 2n, ns: bs * 50000n },
        computeOutput: { count: bs * 2n, ns: bs * 700n },
      });
      return {
        modelStats: [
          {
            name: "resnet50",
            version: "1",
            lastInference: 1700000000123n,
            inferenceCount: 42n,
            executionCount: 40n,
            inferenceStats: {
              success: d(0),
              fail: { ...d(1), count: 0n },
              queue: d(2),
              computeInput: d(3),
              computeInfer: d(4),
              computeOutput: d(5),
              cacheHit: d(6),
              cacheMiss: d(7),
            },
            batchStats: [batch(1n), batch(8n)],
          },
          { name: "simple", version: "2" },
        ],
      };
    })(),
    (m) => {
      const s = m.modelStats[0];
      expect(s?.lastInference).toBe(1700000000123n);
      expect(s?.inferenceCount).toBe(42n);
      expect(s?.executionCount).toBe(40n);
      expect(s?.inferenceStats?.success).toMatchObject({ count: 42n, ns: 123456789n });
      expect(s?.inferenceStats?.fail).toMatchObject({ count: 0n, ns: 246913578n });
      expect(s?.inferenceStats?.cacheMiss).toMatchObject({ count: 35n, ns: 987654312n });
      expect(s?.batchStats.map((b) => [b.batchSize, b.computeInfer?.ns])).toEqual([
        [1n, 50000n],
        [8n, 400000n],
      ]);
      expect(m.modelStats[1]?.inferenceStats).toBeUndefined();
      expect(m.modelStats[1]?.inferenceCount).toBe(0n);
    },
  ),

  oip_model_stream_infer_response: golden(
    ModelStreamInferResponseSchema,
    { inferResponse: oipRawResponse() },
    (m) => {
      expect(m.errorMessage).toBe("");
      checkOipRawResponse(m.inferResponse);
    },
  ),

  oip_model_stream_infer_response_error: golden(
    ModelStreamInferResponseSchema,
    { errorMessage: "in ensemble 'e': inference request for unknown model 'x'" },
    (m) => {
      expect(m.errorMessage).toBe("in ensemble 'e': inference request for unknown model 'x'");
      expect(m.inferResponse).toBeUndefined();
    },
  ),

  seldon_message_ndarray: golden(
    SeldonMessageSchema,
    {
      status: { code: 200, info: "OK", reason: "all good", status: Status_StatusFlag.SUCCESS },
      meta: seldonMeta(),
      dataOneof: {
        case: "data",
        value: {
          names: ["a", "b", "c"],
          dataOneof: {
            case: "ndarray",
            value: listValue([
              [1.0, 2.5, "x"],
              [-3, 0, "\u00fc"],
              [true, null, { k: "v" }],
            ]),
          },
        },
      },
    },
    (m) => {
      expect(m.status?.code).toBe(200);
      expect(m.status?.status).toBe(Status_StatusFlag.SUCCESS);
      expect(m.meta?.puid).toBe("puid-0123456789abcdef");
      expect(m.meta?.routing).toEqual({ "ab-test": -1, router: 1 });
      expect(m.meta?.requestPath.classifier).toBe("seldonio/sklearnserver:1.18.2");
      expect(m.meta?.tags.score?.kind).toEqual({ case: "numberValue", value: 0.5 });
      expect(m.meta?.tags.nothing?.kind.case).toBe("nullValue");
      expect(m.meta?.metrics.map((x) => [x.key, x.type, x.value])).toEqual([
        ["requests", Metric_MetricType.COUNTER, 1],
        ["load", Metric_MetricType.GAUGE, Math.fround(0.3)],
        ["latency_ms", Metric_MetricType.TIMER, 12.5],
      ]);
      expect(m.meta?.metrics[2]?.tags).toEqual({ a: "1", b: "2" });
      expect(m.dataOneof.case).toBe("data");
      const data = m.dataOneof.case === "data" ? m.dataOneof.value : undefined;
      expect(data?.names).toEqual(["a", "b", "c"]);
      expect(data?.dataOneof.case).toBe("ndarray");
      const rows = data?.dataOneof.case === "ndarray" ? data.dataOneof.value.values : [];
      const row1 =
        rows[1]?.kind.case === "listValue" ? rows[1].kind.value.values.map((v) => v.kind.value) : [];
      expect(row1).toEqual([-3, 0, "ü"]);
    },
  ),

  seldon_message_tensor: golden(
    SeldonMessageSchema,
    {
      status: { code: -1, info: "partial", status: Status_StatusFlag.FAILURE },
      dataOneof: {
        case: "data",
        value: {
          names: ["f0", "f1"],
          dataOneof: { case: "tensor", value: { shape: [2, 2], values: [0.1, -1.5, 3.0, 1e10] } },
        },
      },
    },
    (m) => {
      expect(m.status?.status).toBe(Status_StatusFlag.FAILURE);
      expect(m.status?.code).toBe(-1);
      const data = m.dataOneof.case === "data" ? m.dataOneof.value : undefined;
      expect(data?.dataOneof.case).toBe("tensor");
      const t = data?.dataOneof.case === "tensor" ? data.dataOneof.value : undefined;
      expect(t?.shape).toEqual([2, 2]);
      expect(t?.values).toEqual([0.1, -1.5, 3, 1e10]);
    },
  ),

  seldon_message_tftensor_float: golden(
    SeldonMessageSchema,
    {
      dataOneof: {
        case: "data",
        value: {
          dataOneof: {
            case: "tftensor",
            value: {
              dtype: DataType.DT_FLOAT,
              tensorShape: { dim: [{ size: 2n }, { size: 3n }] },
              floatVal: [1.0, -2.0, 0.5, 0.1, 1e-3, 65504.0],
            },
          },
        },
      },
    },
    (m) => {
      const tf = tftensorOf(m);
      expect(tf?.dtype).toBe(DataType.DT_FLOAT);
      expect(tf?.tensorShape?.dim.map((d) => d.size)).toEqual([2n, 3n]);
      expect(tf?.floatVal).toEqual([1, -2, 0.5, Math.fround(0.1), Math.fround(1e-3), 65504]);
      expect(tf?.doubleVal).toEqual([]);
    },
  ),

  seldon_message_tftensor_string: golden(
    SeldonMessageSchema,
    {
      dataOneof: {
        case: "data",
        value: {
          names: ["text"],
          dataOneof: {
            case: "tftensor",
            value: {
              dtype: DataType.DT_STRING,
              tensorShape: { dim: [{ size: 2n }] },
              stringVal: [utf8("hello"), utf8("w\u00f6rld")],
            },
          },
        },
      },
    },
    (m) => {
      const tf = tftensorOf(m);
      expect(tf?.dtype).toBe(DataType.DT_STRING);
      expect(tf?.stringVal.map((b) => new TextDecoder().decode(b))).toEqual(["hello", "wörld"]);
    },
  ),

  seldon_message_tftensor_int64: golden(
    SeldonMessageSchema,
    {
      dataOneof: {
        case: "data",
        value: {
          dataOneof: {
            case: "tftensor",
            value: {
              dtype: DataType.DT_INT64,
              tensorShape: {
                dim: [
                  { size: -1n, name: "batch" },
                  { size: 2n, name: "feature" },
                ],
              },
              int64Val: [-1n, 2n ** 40n, I64_MIN, 0n],
            },
          },
        },
      },
    },
    (m) => {
      const tf = tftensorOf(m);
      expect(tf?.dtype).toBe(DataType.DT_INT64);
      expect(tf?.tensorShape?.dim.map((d) => [d.size, d.name])).toEqual([
        [-1n, "batch"],
        [2n, "feature"],
      ]);
      expect(tf?.int64Val).toEqual([-1n, 1099511627776n, -9223372036854775808n, 0n]);
    },
  ),

  seldon_message_tftensor_content: golden(
    SeldonMessageSchema,
    {
      dataOneof: {
        case: "data",
        value: {
          dataOneof: {
            case: "tftensor",
            value: {
              dtype: DataType.DT_DOUBLE,
              tensorShape: { dim: [{ size: 3n }] },
              versionNumber: 1,
              tensorContent: f64le(1.5, -0.0, 1e-9),
            },
          },
        },
      },
    },
    (m) => {
      const tf = tftensorOf(m);
      expect(tf?.dtype).toBe(DataType.DT_DOUBLE);
      expect(tf?.versionNumber).toBe(1);
      const c = tf?.tensorContent ?? new Uint8Array(0);
      const view = new DataView(c.buffer, c.byteOffset, c.byteLength);
      expect([
        view.getFloat64(0, true),
        Object.is(view.getFloat64(8, true), -0),
        view.getFloat64(16, true),
      ]).toEqual([1.5, true, 1e-9]);
    },
  ),

  seldon_message_strdata: golden(
    SeldonMessageSchema,
    { meta: { puid: "p-str" }, dataOneof: { case: "strData", value: "hello \u2603 seldon" } },
    (m) => {
      expect(m.dataOneof).toEqual({ case: "strData", value: "hello ☃ seldon" });
      expect(m.meta?.puid).toBe("p-str");
    },
  ),

  seldon_message_bindata: golden(
    SeldonMessageSchema,
    { dataOneof: { case: "binData", value: Uint8Array.of(0, 1, 2, 127, 128, 254, 255, ...utf8("PNG")) } },
    (m) => {
      expect(m.dataOneof.case).toBe("binData");
      expect(m.dataOneof.value instanceof Uint8Array ? toHex(m.dataOneof.value) : undefined).toBe(
        "0001027f80feff504e47",
      );
    },
  ),

  seldon_message_jsondata: golden(
    SeldonMessageSchema,
    {
      dataOneof: {
        case: "jsonData",
        value: value({
          instances: [
            [1, 2],
            [3.5, -4],
          ],
          name: "x",
          none: null,
          obj: { a: "first", z: "last" },
          ok: true,
        }),
      },
    },
    (m) => {
      expect(m.dataOneof.case).toBe("jsonData");
      const v = m.dataOneof.case === "jsonData" ? m.dataOneof.value : undefined;
      expect(v?.kind.case).toBe("structValue");
      const fields = v?.kind.case === "structValue" ? v.kind.value.fields : {};
      expect(Object.keys(fields)).toEqual(["instances", "name", "none", "obj", "ok"]); // wire order: sorted
      expect(fields.ok?.kind).toEqual({ case: "boolValue", value: true });
    },
  ),

  seldon_feedback: golden(
    FeedbackSchema,
    {
      request: {
        dataOneof: {
          case: "data",
          value: { dataOneof: { case: "ndarray", value: listValue([[5.1, 3.5, 1.4, 0.2]]) } },
        },
      },
      response: {
        meta: { routing: { router: 0 } },
        dataOneof: {
          case: "data",
          value: {
            names: ["setosa", "versicolor", "virginica"],
            dataOneof: { case: "tensor", value: { shape: [1, 3], values: [0.9, 0.05, 0.05] } },
          },
        },
      },
      reward: 0.75,
      truth: {
        dataOneof: { case: "data", value: { dataOneof: { case: "ndarray", value: listValue([[1, 0, 0]]) } } },
      },
    },
    (m) => {
      expect(m.reward).toBe(0.75);
      // a map value equal to the default is still an entry
      expect(m.response?.meta?.routing).toEqual({ router: 0 });
      expect(m.request?.dataOneof.case).toBe("data");
      expect(m.truth?.dataOneof.case).toBe("data");
      const resp = m.response?.dataOneof.case === "data" ? m.response.dataOneof.value : undefined;
      expect(resp?.dataOneof.case === "tensor" ? resp.dataOneof.value.values : []).toEqual([0.9, 0.05, 0.05]);
    },
  ),

  seldon_message_list: golden(
    SeldonMessageListSchema,
    {
      seldonMessages: [
        { dataOneof: { case: "strData", value: "first" } },
        {
          dataOneof: {
            case: "data",
            value: { dataOneof: { case: "tensor", value: { shape: [2], values: [1.0, 2.0] } } },
          },
        },
        {},
      ],
    },
    (m) => {
      expect(m.seldonMessages).toHaveLength(3);
      expect(m.seldonMessages[0]?.dataOneof).toEqual({ case: "strData", value: "first" });
      expect(m.seldonMessages[1]?.dataOneof.case).toBe("data");
      expect(m.seldonMessages[2]?.dataOneof.case).toBeUndefined();
      expect(m.seldonMessages[2]?.meta).toBeUndefined();
    },
  ),

  seldon_model_metadata: golden(SeldonModelMetadataSchema, seldonModelMetadata("iris-classifier"), (m) =>
    checkSeldonModelMetadata(m, "iris-classifier"),
  ),

  seldon_graph_metadata: golden(
    SeldonGraphMetadataSchema,
    {
      name: "example-graph",
      models: { "model-a": { name: "model-a" }, "model-b": seldonModelMetadata("model-b") },
      inputs: [{ messagetype: "ndarray", shape: [1n, 4n] }],
      outputs: [{ messagetype: "tensor", name: "out", datatype: "FP32", shape: [1n, 3n] }],
    },
    (m) => {
      expect(Object.keys(m.models)).toEqual(["model-a", "model-b"]);
      expect(m.models["model-a"]?.inputs).toEqual([]);
      checkSeldonModelMetadata(m.models["model-b"], "model-b");
      expect(m.inputs[0]?.shape).toEqual([1n, 4n]);
    },
  ),
};

// ---------------------------------------------------------------------------------------------------
// tests
// ---------------------------------------------------------------------------------------------------

describe("golden vectors from Python protobuf (tritonclient 2.73.0, seldon-core 1.18.2)", () => {
  it("every vector in the manifest has a TypeScript case, and every case has a vector", () => {
    const names = manifest.vectors.map((v) => v.name);
    expect(names.length).toBeGreaterThanOrEqual(25);
    expect([...names].sort()).toEqual(Object.keys(cases).sort());
  });

  for (const vector of manifest.vectors) {
    describe(vector.name, () => {
      const c = cases[vector.name];
      const bytes = fixtureBytes(vector);

      it("fixture bytes match the manifest", () => {
        expect(bytes.length).toBe(vector.size);
        expect(createHash("sha256").update(bytes).digest("hex")).toBe(vector.sha256);
        expect(toHex(bytes)).toBe(vector.hex);
      });

      it(`decodes as ${vector.type} with every field equal to Python's`, () => {
        expect(c, `no TypeScript case for ${vector.name}`).toBeDefined();
        if (c === undefined) return;
        expect(c.schema.typeName).toBe(vector.type);
        const decoded = fromBinary(c.schema, bytes);
        expect(unknownFields(decoded), "field numbers we do not declare").toEqual([]);
        const ours = normaliseFloat32(c.schema, toJson(c.schema, decoded));
        const theirs = normaliseFloat32(c.schema, vector.json);
        expect(ours).toEqual(theirs);
        c.check(decoded);
        // our encoder, fed our decoder's output, gives the same bytes back
        expect(toHex(toBinary(c.schema, decoded))).toBe(vector.hex);
      });

      it("a message built in TypeScript encodes to exactly the fixture bytes", () => {
        expect(c).toBeDefined();
        if (c === undefined) return;
        const built = c.build();
        expect(toHex(toBinary(c.schema, built))).toBe(vector.hex);
        // Not equals(built, decoded): a `float` field of a built message holds the JS double it was
        // given (0.1) until it is serialised, while the decoded one holds Math.fround(0.1). The JSON
        // comparison below maps float fields through Math.fround, as for the decoded message.
        expect(normaliseFloat32(c.schema, toJson(c.schema, built))).toEqual(
          normaliseFloat32(c.schema, vector.json),
        );
      });
    });
  }

  it("map order: protobuf-es writes maps in insertion order, Python deterministic output sorts them; only bytes differ", () => {
    const vector = manifest.vectors.find((v) => v.name === "seldon_graph_metadata");
    expect(vector).toBeDefined();
    if (vector === undefined) return;
    // the insertion order make_golden.py used: model-b first
    const unsorted = create(SeldonGraphMetadataSchema, {
      name: "example-graph",
      models: { "model-b": seldonModelMetadata("model-b"), "model-a": { name: "model-a" } },
      inputs: [{ messagetype: "ndarray", shape: [1n, 4n] }],
      outputs: [{ messagetype: "tensor", name: "out", datatype: "FP32", shape: [1n, 3n] }],
    });
    const bytes = toBinary(SeldonGraphMetadataSchema, unsorted);
    expect(bytes.length).toBe(vector.size);
    const fixture = fromBinary(SeldonGraphMetadataSchema, fixtureBytes(vector));
    expect(equals(SeldonGraphMetadataSchema, fromBinary(SeldonGraphMetadataSchema, bytes), fixture)).toBe(
      true,
    );
    expect(toJson(SeldonGraphMetadataSchema, unsorted)).toEqual(toJson(SeldonGraphMetadataSchema, fixture));
  });
});
