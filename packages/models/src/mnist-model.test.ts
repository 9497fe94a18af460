import { describe, expect, it } from "vitest";
import { mnistModel } from "./mnist-model.js";
import { loadSession, ortTensor } from "./testing/ort-tensor.js";

describe("mnistModel()", () => {
  it("should answer a probability distribution over ten digits per image", async () => {
    const session = await loadSession(mnistModel());
    const images = Float32Array.from({ length: 2 * 784 }, (_, i) => (i % 7) / 7);
    const out = await session.run({ images: ortTensor("FP32", images, [2, 784]) });
    expect(out.scores?.dims).toEqual([2, 10]);
    const scores = Array.from((out.scores?.data as Float32Array | undefined) ?? []);
    for (const row of [scores.slice(0, 10), scores.slice(10)]) {
      expect(row.every((p) => p > 0 && p < 1)).toBe(true);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });
});
