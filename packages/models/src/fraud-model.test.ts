import { describe, expect, it } from "vitest";
import { fraudModel, fraudPredict, fraudScorer } from "./fraud-model.js";
import { mulberry32 } from "./mulberry32.js";
import { loadSession, ortTensor } from "./testing/ort-tensor.js";

describe("fraudModel()", () => {
  it("should describe 29 FP32 features in and one probability out", () => {
    const model = fraudModel();
    expect(model.inputs).toEqual([{ name: "input", datatype: "FP32", shape: [-1, 29] }]);
    expect(model.outputs).toEqual([{ name: "probability", datatype: "FP32", shape: [-1, 1] }]);
  });

  it("should build the same bytes every time", () => {
    expect(fraudModel().onnx).toEqual(fraudModel().onnx);
  });

  it("should score in ONNX Runtime what the TypeScript reference scores", async () => {
    const session = await loadSession(fraudModel());
    const next = mulberry32(7);
    const rows = 8;
    // Roughly the scale of the PCA features V1…V28.
    const input = Float32Array.from({ length: rows * 29 }, () => (next() - 0.5) * 6);
    const out = await session.run({ input: ortTensor("FP32", input, [rows, 29]) });
    expect(out.probability?.dims).toEqual([rows, 1]);
    const expected = fraudPredict(fraudScorer(), input);
    const probability = out.probability?.data as Float32Array;
    probability.forEach((p, i) => {
      expect(p).toBeCloseTo(expected[i] ?? Number.NaN, 5);
    });
  });

  it("should score an all-zero input as sigmoid(bias)", async () => {
    const session = await loadSession(fraudModel());
    const out = await session.run({ input: ortTensor("FP32", new Float32Array(29), [1, 29]) });
    expect(out.probability?.data[0]).toBeCloseTo(1 / (1 + Math.exp(3)), 6);
  });
});

describe("fraudModel(names)", () => {
  it("should score under Wallaroo's ccfraud names what the fraud model scores", async () => {
    const session = await loadSession(fraudModel({ name: "ccfraud", input: "tensor", output: "dense_1" }));
    const input = Float32Array.from({ length: 29 }, (_, i) => i / 10 - 1);
    const out = await session.run({ tensor: ortTensor("FP32", input, [1, 29]) });
    expect(out.dense_1?.data[0]).toBeCloseTo(fraudPredict(fraudScorer(), input)[0] ?? Number.NaN, 6);
  });
});
