import type { Datatype } from "@tensorwire/codec";
import { buildOnnxModel, type GraphSpec, type OnnxModelOptions, type ValueSpec } from "./build-onnx-model.js";

/** A model input or output in OIP terms: every dynamic dimension, named or not, is -1. */
export interface TensorSpec {
  /** The tensor's name. */
  readonly name: string;
  /** Its OIP datatype. */
  readonly datatype: Datatype;
  /** Its dimensions, -1 where dynamic. */
  readonly shape: readonly number[];
}

/** An ONNX model's bytes with the OIP description of what it takes and returns. */
export interface OnnxModel {
  /** The serialized ModelProto. */
  readonly onnx: Uint8Array;
  /** The graph's inputs, in order. */
  readonly inputs: readonly TensorSpec[];
  /** The graph's outputs, in order. */
  readonly outputs: readonly TensorSpec[];
}

/** Builds a graph and describes its inputs and outputs from the same specs, so the two cannot disagree. */
export function onnxModel(graph: GraphSpec, options: Partial<OnnxModelOptions> = {}): OnnxModel {
  return {
    onnx: buildOnnxModel(graph, options),
    inputs: graph.inputs.map(tensorSpec),
    outputs: graph.outputs.map(tensorSpec),
  };
}

function tensorSpec({ name, datatype, shape }: ValueSpec): TensorSpec {
  return { name, datatype, shape: shape.map((d) => (typeof d === "string" || d < 0 ? -1 : d)) };
}
