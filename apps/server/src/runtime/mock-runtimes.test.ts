import { createTensor, type InferRequest, TensorwireError } from "@tensorwire/codec";
import { describe, expect, it } from "vitest";
import type { InferContext } from "../core/data-plane.js";
import type { ModelDeclaration } from "../repository/memory-source.js";
import { createServerCore } from "../server/create-server-core.js";
import { sampleLatency } from "./runtime-modifiers.js";

const context: InferContext = { requestId: "test", protocol: "rest" };
const input = createTensor({ name: "INPUT0", datatype: "FP32", shape: [1, 2], data: Float32Array.of(1, 2) });
const request: InferRequest = { inputs: [input] };
const declared = { inputs: [{ name: "INPUT0", datatype: "FP32", shape: [-1, -1] }] };

async function serve(models: ModelDeclaration[]) {
  return createServerCore({ models });
}

describe("createModelDataPlane() with mock runtimes", () => {
  it("should echo inputs under their renamed output names", async () => {
    const core = await serve([
      { name: "echo", config: { runtime: "echo", ...declared, rename: { INPUT0: "OUT" } } },
    ]);
    const response = await core.dataPlane.infer({ name: "echo" }, request, context);
    expect(response.outputs).toEqual([{ ...input, name: "OUT" }]);
    expect(core.dataPlane.modelMetadata({ name: "echo" }).outputs).toEqual([
      { name: "OUT", datatype: "FP32", shape: [-1, -1] },
    ]);
    await core.close();
  });

  it("should answer constant outputs from config", async () => {
    const core = await serve([
      {
        name: "const",
        config: {
          runtime: "constant",
          ...declared,
          outputs: [
            {
              name: "SCORE",
              datatype: "INT64",
              shape: [2, 2],
              data: [
                [1, 2],
                [3, 4],
              ],
            },
            { name: "LABEL", datatype: "BYTES", shape: [1], data: ["cat"] },
          ],
        },
      },
    ]);
    const response = await core.dataPlane.infer(
      { name: "const" },
      { ...request, outputs: [{ name: "SCORE" }] },
      context,
    );
    expect(response.outputs).toEqual([
      { name: "SCORE", datatype: "INT64", shape: [2, 2], data: BigInt64Array.of(1n, 2n, 3n, 4n) },
    ]);
    await core.close();
  });

  it("should add fixed latency", async () => {
    const core = await serve([
      { name: "slow", config: { runtime: "echo", ...declared, latency: { distribution: "fixed", ms: 60 } } },
    ]);
    const start = performance.now();
    await core.dataPlane.infer({ name: "slow" }, request, context);
    // Timers may fire a little early by rounding; 55 of 60 ms leaves room for that.
    expect(performance.now() - start).toBeGreaterThanOrEqual(55);
    await core.close();
  });

  it("should sample latency distributions within their bounds", () => {
    expect(sampleLatency({ distribution: "uniform", minMs: 10, maxMs: 20 }, () => 0.5)).toBe(15);
    expect(
      sampleLatency({ distribution: "normal", meanMs: 10, stdDevMs: 100 }, () => 0.999999),
    ).toBeGreaterThanOrEqual(0);
  });

  it.each([
    [1, true],
    [0, false],
  ])("should inject errors at rate %d", async (rate, fails) => {
    const core = await serve([
      {
        name: "flaky",
        config: { runtime: "echo", ...declared, errors: { rate, code: "unavailable", message: "try later" } },
      },
    ]);
    const result = core.dataPlane.infer({ name: "flaky" }, request, context);
    if (fails) {
      await expect(result).rejects.toEqual(new TensorwireError("unavailable", "try later"));
      expect(core.dataPlane.statistics({ name: "flaky" })[0]?.inferenceStats.fail.count).toBe(1);
    } else {
      await expect(result).resolves.toMatchObject({ modelName: "flaky" });
    }
    await core.close();
  });

  it("should reject a config with an unknown key", async () => {
    await expect(
      serve([{ name: "typo", config: { runtime: "echo", ...declared, aliasses: [] } }]),
    ).rejects.toThrow("model 'typo' config: aliasses: unknown key");
  });
});
