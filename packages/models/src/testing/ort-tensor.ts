import { createTensor, type Datatype, type TensorData } from "@tensorwire/codec";
import { ortTypes, tensorFromOrt, tensorToOrt } from "@tensorwire/codec/ort";
import * as ort from "onnxruntime-node";
import { expect } from "vitest";
import type { OipDataMap } from "../oip-datatype.js";
import type { OnnxModel } from "../onnx-model.js";

const utf8 = new TextEncoder();

/**
 * An onnxruntime-node tensor from OIP-shaped data, through the codec's conversion (which also
 * carries the float16 workaround for onnxruntime-node 1.30 on Node 24).
 */
export function ortTensor<D extends Datatype>(datatype: D, data: OipDataMap[D], dims: readonly number[]) {
  const tensorData =
    datatype === "BYTES"
      ? (data as OipDataMap["BYTES"]).map((s) => (typeof s === "string" ? utf8.encode(s) : s))
      : (data as TensorData);
  return tensorToOrt(createTensor({ name: "input", datatype, shape: dims, data: tensorData })) as ort.Tensor;
}

/** A result tensor's data as OIP-shaped data: float16 as bit patterns, strings as UTF-8 text. */
export function oipData(tensor: ort.Tensor): OipDataMap[Datatype] {
  const { data } = tensorFromOrt("output", tensor);
  return Array.isArray(data) ? data.map((b) => new TextDecoder().decode(b)) : data;
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
    specs.map((s) => ({ name: s.name, type: ortTypes[s.datatype] as string, shape: s.shape }));
  expect(session.inputNames).toEqual(model.inputs.map((s) => s.name));
  expect(session.outputNames).toEqual(model.outputs.map((s) => s.name));
  expect(seen(session.inputMetadata)).toEqual(expected(model.inputs));
  expect(seen(session.outputMetadata)).toEqual(expected(model.outputs));
  return session;
}
