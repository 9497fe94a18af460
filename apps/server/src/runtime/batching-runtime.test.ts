import { createTensor, type Tensor, TensorwireError } from "@tensorwire/codec";
import { describe, expect, it } from "vitest";
import type { ModelRuntime } from "../core/model-runtime.js";
import { createBatchingRuntime } from "./batching-runtime.js";

/** y = 2x per row; rows whose first value is negative make the whole run fail. */
function doubler(runs: number[]): ModelRuntime {
  return {
    load: async () => {},
    metadata: () => ({
      platform: "test",
      inputs: [{ name: "x", datatype: "FP32", shape: [-1, 2] }],
      outputs: [{ name: "y", datatype: "FP32", shape: [-1, 2] }],
    }),
    unload: async () => {},
    async infer(inputs) {
      const x = inputs[0] as Extract<Tensor, { datatype: "FP32" }>;
      runs.push(x.shape[0] as number);
      for (let r = 0; r < (x.shape[0] as number); r++) {
        if ((x.data[r * 2] as number) < 0) {
          throw new TensorwireError("invalid_argument", `row value ${x.data[r * 2]} is negative`);
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
      return [createTensor({ name: "y", datatype: "FP32", shape: x.shape, data: x.data.map((v) => v * 2) })];
    },
  };
}

const input = (rows: number[][]) =>
  createTensor({
    name: "x",
    datatype: "FP32",
    shape: [rows.length, 2],
    data: Float32Array.from(rows.flat()),
  });

describe("createBatchingRuntime()", () => {
  it("should return each request the results an unbatched run gives it", async () => {
    const runs: number[] = [];
    const runtime = createBatchingRuntime(doubler(runs), { maxBatchSize: 8, maxQueueDelayMs: 5 });
    await runtime.load();
    const requests = [
      [[1, 2]],
      [
        [3, 4],
        [5, 6],
      ],
      [[7, 8]],
      [
        [9, 10],
        [11, 12],
        [13, 14],
      ],
    ];
    const results = await Promise.all(
      requests.map((rows) => runtime.infer([input(rows)], { outputs: ["y"] })),
    );
    expect(results.map((r) => Array.from((r[0] as Tensor).data as Float32Array))).toEqual(
      requests.map((rows) => rows.flat().map((v) => v * 2)),
    );
    expect(results.map((r) => (r[0] as Tensor).shape)).toEqual(requests.map((rows) => [rows.length, 2]));
    // All seven rows ran together.
    expect(runs).toEqual([7]);
  });

  it("should keep one request's error to that request", async () => {
    const runs: number[] = [];
    const runtime = createBatchingRuntime(doubler(runs), { maxBatchSize: 8, maxQueueDelayMs: 5 });
    await runtime.load();
    const settled = await Promise.allSettled(
      [[[1, 1]], [[-1, 1]], [[2, 2]]].map((rows) => runtime.infer([input(rows)], { outputs: ["y"] })),
    );
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((settled[1] as PromiseRejectedResult).reason.message).toBe("row value -1 is negative");
    expect(
      Array.from(((settled[2] as PromiseFulfilledResult<Tensor[]>).value[0] as Tensor).data as Float32Array),
    ).toEqual([4, 4]);
    // The batched run failed, then each request ran alone.
    expect(runs).toEqual([3, 1, 1, 1]);
  });

  it("should not exceed maxBatchSize rows per run, and report queue time and run size", async () => {
    const runs: number[] = [];
    const runtime = createBatchingRuntime(doubler(runs), { maxBatchSize: 3, maxQueueDelayMs: 5 });
    await runtime.load();
    const reported: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        runtime.infer([input([[i, i]])], {
          outputs: ["y"],
          report: (run) => {
            expect(run.queueNs).toBeGreaterThanOrEqual(0);
            reported.push(run.batchSize);
          },
        }),
      ),
    );
    expect(Math.max(...runs)).toBeLessThanOrEqual(3);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(5);
    expect(reported.sort()).toEqual([2, 2, 3, 3, 3]);
  });

  it("should run requests with other trailing dimensions or outputs in separate batches", async () => {
    const runs: number[] = [];
    const runtime = createBatchingRuntime(doubler(runs), { maxBatchSize: 8, maxQueueDelayMs: 5 });
    await runtime.load();
    const wide = createTensor({
      name: "x",
      datatype: "FP32",
      shape: [1, 4],
      data: Float32Array.of(1, 2, 3, 4),
    });
    const [a, b] = await Promise.all([
      runtime.infer([input([[1, 2]])], { outputs: ["y"] }),
      runtime.infer([wide], { outputs: ["y"] }),
    ]);
    expect(Array.from(((a as Tensor[])[0] as Tensor).data as Float32Array)).toEqual([2, 4]);
    expect(Array.from(((b as Tensor[])[0] as Tensor).data as Float32Array)).toEqual([2, 4, 6, 8]);
    expect(runs).toEqual([1, 1]);
  });
});
