import * as ort from "onnxruntime-node";
import { expect } from "vitest";
import type { OipDataMap, OipDatatype } from "../oip-datatype.js";
import type { OnnxModel } from "../onnx-model.js";

/** The onnxruntime-node tensor type of each OIP datatype. */
export const ortTypes: Readonly<Record<OipDatatype, ort.Tensor.Type>> = {
  BOOL: "bool",
  UINT8: "uint8",
  UINT16: "uint16",
  UINT32: "uint32",
  UINT64: "uint64",
  INT8: "int8",
  INT16: "int16",
  INT32: "int32",
  INT64: "int64",
  FP16: "float16",
  FP32: "float32",
  FP64: "float64",
  BYTES: "string",
};

/**
 * An onnxruntime-node tensor from OIP-shaped data. Works around onnxruntime-node 1.30 on Node 24
 * rejecting every float16 input (microsoft/onnxruntime#26791, #32323): where Float16Array exists,
 * onnxruntime-common turns the Uint16Array into one, which the native binding does not recognise, so
 * the tensor's `data` is shadowed with the original bit patterns.
 */
export function ortTensor<D extends OipDatatype>(datatype: D, data: OipDataMap[D], dims: readonly number[]) {
  if (datatype === "BYTES") {
    const decoder = new TextDecoder();
    const strings = (data as OipDataMap["BYTES"]).map((s) => (typeof s === "string" ? s : decoder.decode(s)));
    return new ort.Tensor("string", strings, dims);
  }
  const tensor = new ort.Tensor(ortTypes[datatype], data as ort.Tensor.DataType, dims);
  if (datatype === "FP16") {
    Object.defineProperty(tensor, "data", { value: data });
  }
  return tensor;
}

/** A result tensor's data as OIP-shaped data: float16 as bit patterns, strings as they are. */
export function oipData(tensor: ort.Tensor): OipDataMap[OipDatatype] {
  if (tensor.type === "float16") {
    const data = tensor.data as unknown as ArrayBufferView;
    return new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
  }
  return tensor.data as OipDataMap[OipDatatype];
}

/** Loads a model and checks ONNX Runtime sees the inputs and outputs its specs describe. */
export async function loadSession(model: OnnxModel): Promise<ort.InferenceSession> {
  const session = await ort.InferenceSession.create(model.onnx);
  const seen = (metadata: readonly ort.InferenceSession.ValueMetadata[]) =>
    metadata.map((m) => ({
      name: m.name,
      type: m.isTensor ? m.type : undefined,
      // A symbolic dimension comes back as its name and an unnamed one as "".
      shape: m.isTensor ? m.shape.map((d) => (typeof d === "string" ? -1 : d)) : undefined,
    }));
  const expected = (specs: OnnxModel["inputs"]) =>
    specs.map((s) => ({ name: s.name, type: ortTypes[s.datatype], shape: s.shape }));
  expect(session.inputNames).toEqual(model.inputs.map((s) => s.name));
  expect(session.outputNames).toEqual(model.outputs.map((s) => s.name));
  expect(seen(session.inputMetadata)).toEqual(expected(model.inputs));
  expect(seen(session.outputMetadata)).toEqual(expected(model.outputs));
  return session;
}
