import { fromBinary } from "@bufbuild/protobuf";
import { type Datatype, datatypes } from "@tensorwire/codec";
import {
  AttributeProto_AttributeType,
  ModelProtoSchema,
  type TensorProto,
  TensorProto_DataType,
} from "@tensorwire/proto/onnx";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildOnnxModel, type GraphSpec, type InitializerSpec } from "./build-onnx-model.js";
import type { OipDataMap } from "./oip-datatype.js";
import { loadSession, oipData } from "./testing/ort-tensor.js";

const graphOf = (initializers: readonly InitializerSpec[]): GraphSpec => ({
  name: "g",
  inputs: [],
  outputs: initializers.map((i) => ({ name: `${i.name}_out`, datatype: i.datatype, shape: i.dims })),
  initializers,
  nodes: initializers.map((i) => ({ opType: "Identity", inputs: [i.name], outputs: [`${i.name}_out`] })),
});

// ONNX's numbering, restated so a slip in the datatype table shows up here.
const onnxTypes: Readonly<Record<Datatype, number>> = {
  BOOL: 9,
  UINT8: 2,
  UINT16: 4,
  UINT32: 12,
  UINT64: 13,
  INT8: 3,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  FP16: 10,
  FP32: 1,
  FP64: 11,
  BYTES: 8,
};

const decode = (graph: GraphSpec) => fromBinary(ModelProtoSchema, buildOnnxModel(graph));

// Reads raw_data back independently of the builder's write table, straight from ONNX's definition.
const readers: {
  [D in Exclude<Datatype, "BYTES">]: [number, (v: DataView, o: number) => number | bigint];
} = {
  BOOL: [1, (v, o) => v.getUint8(o)],
  UINT8: [1, (v, o) => v.getUint8(o)],
  UINT16: [2, (v, o) => v.getUint16(o, true)],
  UINT32: [4, (v, o) => v.getUint32(o, true)],
  UINT64: [8, (v, o) => v.getBigUint64(o, true)],
  INT8: [1, (v, o) => v.getInt8(o)],
  INT16: [2, (v, o) => v.getInt16(o, true)],
  INT32: [4, (v, o) => v.getInt32(o, true)],
  INT64: [8, (v, o) => v.getBigInt64(o, true)],
  FP16: [2, (v, o) => v.getUint16(o, true)],
  FP32: [4, (v, o) => v.getFloat32(o, true)],
  FP64: [8, (v, o) => v.getFloat64(o, true)],
};

function readBack(datatype: Datatype, tensor: TensorProto): unknown[] {
  if (datatype === "BYTES") {
    return tensor.stringData;
  }
  const [size, read] = readers[datatype];
  const view = new DataView(tensor.rawData.buffer, tensor.rawData.byteOffset, tensor.rawData.byteLength);
  return Array.from({ length: tensor.rawData.byteLength / size }, (_, i) => read(view, i * size));
}

function arbData(datatype: Datatype, n: number): fc.Arbitrary<OipDataMap[Datatype]> {
  const length = { minLength: n, maxLength: n };
  switch (datatype) {
    case "BOOL":
      return fc.uint8Array({ ...length, max: 1 });
    case "UINT8":
      return fc.uint8Array(length);
    case "UINT16":
    case "FP16":
      return fc.uint16Array(length);
    case "UINT32":
      return fc.uint32Array(length);
    case "UINT64":
      return fc.bigUint64Array(length);
    case "INT8":
      return fc.int8Array(length);
    case "INT16":
      return fc.int16Array(length);
    case "INT32":
      return fc.int32Array(length);
    case "INT64":
      return fc.bigInt64Array(length);
    case "FP32":
      return fc.float32Array(length);
    case "FP64":
      return fc.float64Array(length);
    case "BYTES":
      return fc.array(fc.oneof(fc.string({ unit: "grapheme" }), fc.uint8Array({ maxLength: 8 })), length);
  }
}

const arbInitializer: fc.Arbitrary<InitializerSpec> = fc
  .record({
    datatype: fc.constantFrom(...datatypes),
    dims: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  })
  .chain(({ datatype, dims }) =>
    arbData(
      datatype,
      dims.reduce((n, d) => n * d, 1),
    ).map((data) => ({ name: "c", datatype, dims, data }) as InitializerSpec),
  );

describe("buildOnnxModel()", () => {
  it("should write IR version 10, opset 21 and tensorwire as the producer by default", () => {
    const model = decode(graphOf([]));
    expect(model.irVersion).toBe(10n);
    expect(model.opsetImport.map((o) => [o.domain, o.version])).toEqual([["", 21n]]);
    expect(model.producerName).toBe("tensorwire");
  });

  it("should take the IR version, opset and producer from the options", () => {
    const bytes = buildOnnxModel(graphOf([]), { irVersion: 9, opsetVersion: 17, producerName: "p" });
    const model = fromBinary(ModelProtoSchema, bytes);
    expect([model.irVersion, model.opsetImport[0]?.version, model.producerName]).toEqual([9n, 17n, "p"]);
  });

  it("should write fixed, unnamed dynamic and symbolic dimensions", () => {
    const model = decode({
      name: "g",
      inputs: [{ name: "x", datatype: "FP16", shape: ["batch", -1, 3] }],
      outputs: [],
      nodes: [],
    });
    const type = model.graph?.input[0]?.type?.value;
    expect(type?.case).toBe("tensorType");
    const tensorType = type?.case === "tensorType" ? type.value : undefined;
    expect(tensorType?.elemType).toBe(TensorProto_DataType.FLOAT16);
    expect(tensorType?.shape?.dim.map((d) => d.value)).toEqual([
      { case: "dimParam", value: "batch" },
      { case: undefined },
      { case: "dimValue", value: 3n },
    ]);
  });

  it("should write each kind of attribute with its ONNX type", () => {
    const model = decode({
      name: "g",
      inputs: [],
      outputs: [],
      nodes: [
        {
          opType: "Op",
          inputs: [],
          outputs: ["y"],
          attributes: {
            i: { int: 7 },
            f: { float: 0.5 },
            s: { string: "é" },
            is: { ints: [1, 2n] },
            fs: { floats: [] },
          },
        },
      ],
    });
    const node = model.graph?.node[0];
    expect(node?.name).toBe("y");
    expect(node?.attribute.map((a) => [a.name, a.type])).toEqual([
      ["i", AttributeProto_AttributeType.INT],
      ["f", AttributeProto_AttributeType.FLOAT],
      ["s", AttributeProto_AttributeType.STRING],
      ["is", AttributeProto_AttributeType.INTS],
      ["fs", AttributeProto_AttributeType.FLOATS],
    ]);
    const [i, f, s, is] = node?.attribute ?? [];
    expect([i?.i, f?.f, s?.s, is?.ints]).toEqual([7n, 0.5, new TextEncoder().encode("é"), [1n, 2n]]);
  });

  it("should reject initializer data that does not fill its dims", () => {
    const graph = graphOf([{ name: "c", datatype: "INT32", dims: [2, 2], data: Int32Array.of(1, 2, 3) }]);
    expect(() => buildOnnxModel(graph)).toThrow("initializer 'c': expected 4 elements for dims [2,2], got 3");
  });

  it("should round-trip initializers of every datatype through raw_data and string_data", () => {
    fc.assert(
      fc.property(arbInitializer, (init) => {
        const tensor = decode(graphOf([init])).graph?.initializer[0];
        expect(tensor?.dims).toEqual(init.dims.map(BigInt));
        expect(tensor?.dataType).toBe(onnxTypes[init.datatype]);
        const encoder = new TextEncoder();
        const expected =
          init.datatype === "BYTES"
            ? init.data.map((s) => (typeof s === "string" ? encoder.encode(s) : s))
            : Array.from(init.data as ArrayLike<number | bigint>);
        expect(tensor && readBack(init.datatype, tensor)).toEqual(expected);
      }),
    );
  });

  it.each(datatypes)("should give ONNX Runtime the values of a %s initializer", async (datatype) => {
    // Strings without NUL bytes: onnxruntime-node cuts string elements at the first one.
    const data =
      datatype === "BYTES"
        ? ["", "a", "héllo", "🙂", "x y", "\t"]
        : fc.sample(arbData(datatype, 6), { numRuns: 1, seed: 42 })[0];
    const init = { name: "c", datatype, dims: [2, 3], data } as InitializerSpec;
    const bytes = buildOnnxModel(graphOf([init]));
    const session = await loadSession({
      onnx: bytes,
      inputs: [],
      outputs: [{ name: "c_out", datatype, shape: [2, 3] }],
    });
    const { c_out } = await session.run({});
    expect(c_out && oipData(c_out)).toEqual(data);
  });
});
