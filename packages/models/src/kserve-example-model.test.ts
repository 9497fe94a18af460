import { describe, expect, it } from "vitest";
import { kserveExampleModel } from "./kserve-example-model.js";
import { loadSession, ortTensor } from "./testing/ort-tensor.js";

describe("kserveExampleModel()", () => {
  it("should compute input_1 · [0.5, -0.25, 1] + 0.1", async () => {
    const session = await loadSession(kserveExampleModel());
    const out = await session.run({ input_1: ortTensor("FP32", Float32Array.of(1, 2, 3), [1, 3]) });
    expect(out.output_1?.data[0]).toBeCloseTo(0.5 - 0.5 + 3 + 0.1, 6);
  });
});
