import { describe, expect, it } from "vitest";
import { type AddSubDatatype, addSubModel, tfsimpleModel } from "./add-sub-model.js";
import type { OipDataMap } from "./oip-datatype.js";
import { loadSession, ortTensor } from "./testing/ort-tensor.js";

describe("tfsimpleModel()", () => {
  it("should describe Triton's simple model", () => {
    const spec = (name: string) => ({ name, datatype: "INT32", shape: [-1, 16] });
    const model = tfsimpleModel();
    expect(model.inputs).toEqual([spec("INPUT0"), spec("INPUT1")]);
    expect(model.outputs).toEqual([spec("OUTPUT0"), spec("OUTPUT1")]);
  });

  it("should add and subtract a batch of two in ONNX Runtime", async () => {
    const session = await loadSession(tfsimpleModel());
    // Triton's simple_http_infer_client inputs (0…15 and all ones), then a second row with negatives.
    const input0 = Int32Array.from({ length: 32 }, (_, i) => (i < 16 ? i : -i));
    const input1 = Int32Array.from({ length: 32 }, (_, i) => (i < 16 ? 1 : 2 ** 31 - 1));
    const out = await session.run({
      INPUT0: ortTensor("INT32", input0, [2, 16]),
      INPUT1: ortTensor("INT32", input1, [2, 16]),
    });
    expect(out.OUTPUT0?.dims).toEqual([2, 16]);
    expect(out.OUTPUT0?.data).toEqual(input0.map((v, i) => v + (input1[i] ?? 0)));
    expect(out.OUTPUT1?.data).toEqual(input0.map((v, i) => v - (input1[i] ?? 0)));
  });
});

describe("addSubModel()", () => {
  const inputs: { [D in AddSubDatatype]: [OipDataMap[D], OipDataMap[D]] } = {
    FP32: [Float32Array.of(1.5, -2, 0.25, 1e30), Float32Array.of(0.5, 3, -0.25, 1e30)],
    FP64: [Float64Array.of(0.1, -2, 1e300, 5), Float64Array.of(0.2, 3, 1e300, -5)],
    INT32: [Int32Array.of(1, -2, 100, 7), Int32Array.of(10, 20, -100, 7)],
    INT64: [BigInt64Array.of(2n ** 53n, -2n, 1n, 0n), BigInt64Array.of(1n, 2n ** 62n, -1n, 0n)],
  };
  const sum = { FP32: [2, 1, 0, 2e30], FP64: [0.1 + 0.2, 1, 2e300, 0], INT32: [11, 18, 0, 14] };
  const difference = { FP32: [1, -5, 0.5, 0], FP64: [0.1 - 0.2, -5, 0, 10], INT32: [-9, -22, 200, 0] };

  it.each(["FP32", "FP64", "INT32"] as const)("should add and subtract %s tensors", async (datatype) => {
    const model = addSubModel(datatype);
    expect(model.inputs.map((s) => s.shape)).toEqual([
      [-1, -1],
      [-1, -1],
    ]);
    const session = await loadSession(model);
    const [a, b] = inputs[datatype];
    const out = await session.run({
      INPUT0: ortTensor(datatype, a, [2, 2]),
      INPUT1: ortTensor(datatype, b, [2, 2]),
    });
    expect(Array.from(out.OUTPUT0?.data as ArrayLike<number>)).toEqual(
      datatype === "FP32" ? Array.from(Float32Array.from(sum.FP32)) : sum[datatype],
    );
    expect(Array.from(out.OUTPUT1?.data as ArrayLike<number>)).toEqual(difference[datatype]);
  });

  it("should add and subtract INT64 tensors without losing precision", async () => {
    const session = await loadSession(addSubModel("INT64"));
    const [a, b] = inputs.INT64;
    const out = await session.run({
      INPUT0: ortTensor("INT64", a, [1, 4]),
      INPUT1: ortTensor("INT64", b, [1, 4]),
    });
    expect(out.OUTPUT0?.data).toEqual(BigInt64Array.of(2n ** 53n + 1n, 2n ** 62n - 2n, 0n, 0n));
    expect(out.OUTPUT1?.data).toEqual(BigInt64Array.of(2n ** 53n - 1n, -(2n ** 62n) - 2n, 2n, 0n));
  });
});
