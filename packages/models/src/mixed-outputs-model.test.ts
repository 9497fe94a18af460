import { describe, expect, it } from "vitest";
import { mixedOutputsModel } from "./mixed-outputs-model.js";
import { loadSession, ortTensor } from "./testing/ort-tensor.js";

describe("mixedOutputsModel()", () => {
  it("should describe one FP32 input and FP32, INT64 and BOOL outputs", () => {
    const model = mixedOutputsModel();
    expect(model.inputs).toEqual([{ name: "INPUT0", datatype: "FP32", shape: [-1, 4] }]);
    expect(model.outputs.map((s) => [s.name, s.datatype])).toEqual([
      ["OUTPUT0", "FP32"],
      ["OUTPUT1", "INT64"],
      ["OUTPUT2", "BOOL"],
    ]);
  });

  it("should double, truncate and compare in ONNX Runtime", async () => {
    const session = await loadSession(mixedOutputsModel());
    const x = Float32Array.of(1.5, -1.5, 0, -0, 2.75, -3.25, 1e-3, 100);
    const out = await session.run({ INPUT0: ortTensor("FP32", x, [2, 4]) });
    expect(out.OUTPUT0?.data).toEqual(Float32Array.of(3, -3, 0, -0, 5.5, -6.5, 2e-3, 200));
    expect(out.OUTPUT1?.data).toEqual(BigInt64Array.of(1n, -1n, 0n, 0n, 2n, -3n, 0n, 100n));
    expect(out.OUTPUT2?.type).toBe("bool");
    expect(out.OUTPUT2?.data).toEqual(Uint8Array.of(1, 0, 0, 0, 1, 0, 1, 1));
    expect(out.OUTPUT2?.dims).toEqual([2, 4]);
  });
});
