import { create, toBinary } from "@bufbuild/protobuf";
import type { Datatype } from "@tensorwire/codec";
import {
  type AttributeProto,
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  type TensorProto,
  TensorProtoSchema,
  type TensorShapeProto_Dimension,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from "@tensorwire/proto/onnx";
import { type OipDataMap, onnxDatatypeTable } from "./oip-datatype.js";

/** A dimension: a size, -1 for an unnamed dynamic size, or a name ("batch") for a symbolic one. */
export type Dim = number | string;

/** A graph input or output. */
export interface ValueSpec {
  /** The value's name, unique in the graph. */
  readonly name: string;
  /** Its OIP datatype, written as the matching ONNX element type. */
  readonly datatype: Datatype;
  /** Its dimensions. */
  readonly shape: readonly Dim[];
}

/** A node attribute; the key says which ONNX attribute type it becomes (ONNX has no untyped numbers). */
export type AttributeValue =
  | {
      /** An INT attribute. */
      readonly int: number | bigint;
    }
  | {
      /** A FLOAT attribute. */
      readonly float: number;
    }
  | {
      /** A STRING attribute (UTF-8). */
      readonly string: string;
    }
  | {
      /** An INTS attribute. */
      readonly ints: readonly (number | bigint)[];
    }
  | {
      /** A FLOATS attribute. */
      readonly floats: readonly number[];
    };

/** A node of the graph: one ONNX operator applied to named values. */
export interface NodeSpec {
  /** The operator, e.g. "Add" or "Gemm" (default domain). */
  readonly opType: string;
  /** The names of its inputs: graph inputs, initializers or other nodes' outputs. */
  readonly inputs: readonly string[];
  /** The names of its outputs. */
  readonly outputs: readonly string[];
  /** The operator's attributes by name. */
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  /** Defaults to the first output's name, which is unique in a valid graph. */
  readonly name?: string;
}

/** A constant tensor of the graph; `data` holds `dims`' product of elements, row-major. */
export type InitializerSpec = {
  [D in Datatype]: {
    /** The initializer's name, which nodes use as an input. */
    readonly name: string;
    /** Its datatype. */
    readonly datatype: D;
    /** Its dimensions. */
    readonly dims: readonly number[];
    /** Its elements, row-major, in the datatype's form (see {@link OipDataMap}). */
    readonly data: OipDataMap[D];
  };
}[Datatype];

/** An ONNX graph: what {@link buildOnnxModel} serializes. */
export interface GraphSpec {
  /** The graph's name. */
  readonly name: string;
  /** Its inputs, in order. */
  readonly inputs: readonly ValueSpec[];
  /** Its outputs, in order. */
  readonly outputs: readonly ValueSpec[];
  /** Its nodes, in topological order as ONNX requires. */
  readonly nodes: readonly NodeSpec[];
  /** Its constant tensors (weights). */
  readonly initializers?: readonly InitializerSpec[];
}

/** The ModelProto fields around the graph, for {@link buildOnnxModel} and {@link onnxModel}. */
export interface OnnxModelOptions {
  /** The model's IR version. Default 10 (ONNX 1.16), a released version onnxruntime-node 1.30 loads. */
  irVersion: number;
  /** The default-domain opset. Default 21, the opset paired with IR version 10. */
  opsetVersion: number;
  /** Default "tensorwire". */
  producerName: string;
  /** Default "". */
  docString: string;
}

function makeOnnxModelOptions(options: Partial<OnnxModelOptions>): OnnxModelOptions {
  return { irVersion: 10, opsetVersion: 21, producerName: "tensorwire", docString: "", ...options };
}

/**
 * Serializes a graph as the bytes of an ONNX ModelProto.
 *
 * @example
 * ```ts
 * import { buildOnnxModel } from "@tensorwire/models";
 *
 * // y = x + x, for any number of FP32 elements.
 * const onnx = buildOnnxModel({
 *   name: "double",
 *   inputs: [{ name: "x", datatype: "FP32", shape: [-1] }],
 *   outputs: [{ name: "y", datatype: "FP32", shape: [-1] }],
 *   nodes: [{ opType: "Add", inputs: ["x", "x"], outputs: ["y"] }],
 * });
 * ```
 */
export function buildOnnxModel(graph: GraphSpec, options: Partial<OnnxModelOptions> = {}): Uint8Array {
  const opts = makeOnnxModelOptions(options);
  const model = create(ModelProtoSchema, {
    irVersion: BigInt(opts.irVersion),
    producerName: opts.producerName,
    docString: opts.docString,
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: "", version: BigInt(opts.opsetVersion) })],
    graph: create(GraphProtoSchema, {
      name: graph.name,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      initializer: (graph.initializers ?? []).map(initializer),
      node: graph.nodes.map((node) =>
        create(NodeProtoSchema, {
          opType: node.opType,
          name: node.name ?? node.outputs[0] ?? node.opType,
          input: [...node.inputs],
          output: [...node.outputs],
          attribute: Object.entries(node.attributes ?? {}).map(([name, value]) => attribute(name, value)),
        }),
      ),
    }),
  });
  return toBinary(ModelProtoSchema, model);
}

function valueInfo(spec: ValueSpec): ValueInfoProto {
  const tensorType = create(TypeProto_TensorSchema, {
    elemType: onnxDatatypeTable[spec.datatype].elemType,
    shape: create(TensorShapeProtoSchema, { dim: spec.shape.map(dimension) }),
  });
  return create(ValueInfoProtoSchema, {
    name: spec.name,
    type: create(TypeProtoSchema, { value: { case: "tensorType", value: tensorType } }),
  });
}

function dimension(d: Dim): TensorShapeProto_Dimension {
  if (typeof d === "string") {
    return create(TensorShapeProto_DimensionSchema, { value: { case: "dimParam", value: d } });
  }
  // An unset dimension is ONNX's "unknown size"; ONNX Runtime reports it as "".
  return create(
    TensorShapeProto_DimensionSchema,
    d < 0 ? {} : { value: { case: "dimValue", value: BigInt(d) } },
  );
}

function attribute(name: string, value: AttributeValue): AttributeProto {
  if ("int" in value) {
    return create(AttributeProtoSchema, {
      name,
      type: AttributeProto_AttributeType.INT,
      i: BigInt(value.int),
    });
  }
  if ("float" in value) {
    return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.FLOAT, f: value.float });
  }
  if ("string" in value) {
    const s = new TextEncoder().encode(value.string);
    return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.STRING, s });
  }
  if ("ints" in value) {
    const ints = value.ints.map((i) => BigInt(i));
    return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints });
  }
  const floats = [...value.floats];
  return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.FLOATS, floats });
}

function initializer(spec: InitializerSpec): TensorProto {
  const count = spec.dims.reduce((n, d) => n * d, 1);
  if (spec.data.length !== count) {
    throw new Error(
      `initializer '${spec.name}': expected ${count} elements for dims [${spec.dims.join(",")}], got ${spec.data.length}`,
    );
  }
  const info = onnxDatatypeTable[spec.datatype];
  const tensor = create(TensorProtoSchema, {
    name: spec.name,
    dims: spec.dims.map((d) => BigInt(d)),
    dataType: info.elemType,
  });
  if (spec.datatype === "BYTES") {
    const encoder = new TextEncoder();
    tensor.stringData = spec.data.map((s) => (typeof s === "string" ? encoder.encode(s) : s));
    return tensor;
  }
  const raw = new Uint8Array(count * info.byteSize);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < count; i++) {
    info.write(view, i * info.byteSize, spec.data[i] ?? 0);
  }
  tensor.rawData = raw;
  return tensor;
}
