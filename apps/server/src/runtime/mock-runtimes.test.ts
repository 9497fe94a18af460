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

  it("should cast an accepted datatype exactly, or refuse it naming the element", async () => {
    const core = await serve([
      {
        name: "flags",
        config: {
          runtime: "echo",
          inputs: [{ name: "INPUT0", datatype: "BOOL", shape: [-1], acceptDatatypes: ["INT32"] }],
        },
      },
      {
        name: "counts",
        config: {
          runtime: "echo",
          inputs: [{ name: "INPUT0", datatype: "INT32", shape: [-1], acceptDatatypes: ["FP64"] }],
        },
      },
    ]);
    const int32 = (values: number[]) =>
      createTensor({
        name: "INPUT0",
        datatype: "INT32",
        shape: [values.length],
        data: Int32Array.from(values),
      });
    const fp64 = (values: number[]) =>
      createTensor({
        name: "INPUT0",
        datatype: "FP64",
        shape: [values.length],
        data: Float64Array.from(values),
      });
    const flags = await core.dataPlane.infer({ name: "flags" }, { inputs: [int32([0, 1])] }, context);
    expect(flags.outputs[0]).toMatchObject({ datatype: "BOOL", data: Uint8Array.of(0, 1) });
    const counts = await core.dataPlane.infer({ name: "counts" }, { inputs: [fp64([3, -2])] }, context);
    expect(counts.outputs[0]).toMatchObject({ datatype: "INT32", data: Int32Array.of(3, -2) });
    await expect(
      core.dataPlane.infer({ name: "flags" }, { inputs: [int32([1, 2])] }, context),
    ).rejects.toThrow("inference input 'INPUT0' for model 'flags': data[1]: expected true or false, got 2");
    await expect(
      core.dataPlane.infer({ name: "counts" }, { inputs: [fp64([1.5])] }, context),
    ).rejects.toThrow("data[0]: expected an integer in INT32 range");
    await core.close();
  });

  it("should read constant BOOL outputs as true and false only", async () => {
    const constant = (data: unknown[]) => ({
      name: "yes",
      config: {
        runtime: "constant",
        ...declared,
        outputs: [{ name: "OK", datatype: "BOOL", shape: [2], data }],
      },
    });
    const core = await serve([constant([true, false])]);
    const response = await core.dataPlane.infer({ name: "yes" }, request, context);
    expect(response.outputs[0]?.data).toEqual(Uint8Array.of(1, 0));
    await core.close();
    await expect(serve([constant([1, 0])])).rejects.toThrow(
      "model 'yes': constant output 'OK': data[0]: expected true or false, got 1",
    );
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
