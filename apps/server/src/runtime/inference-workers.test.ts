import { existsSync, readdirSync } from "node:fs";
import { createTensor, type Tensor } from "@tensorwire/codec";
import { irisModel, tfsimpleModel } from "@tensorwire/models";
import { afterAll, describe, expect, it } from "vitest";
import { procStatFields } from "../testing/proc-stat.js";
import { createInferenceWorkers } from "./inference-workers.js";
import { createOnnxRuntime } from "./onnx-runtime.js";

const workers = createInferenceWorkers({ threads: 2 });
afterAll(() => workers.close());

const values = (tensors: readonly Tensor[]) =>
  tensors.map((t) => [t.name, t.datatype, t.shape, Array.from(t.data as ArrayLike<number | bigint>)]);

describe("createInferenceWorkers()", () => {
  it.each([
    [
      "tfsimple",
      tfsimpleModel().onnx,
      [
        createTensor({
          name: "INPUT0",
          datatype: "INT32",
          shape: [2, 16],
          data: Int32Array.from({ length: 32 }, (_, i) => i),
        }),
        createTensor({
          name: "INPUT1",
          datatype: "INT32",
          shape: [2, 16],
          data: Int32Array.from({ length: 32 }, (_, i) => 3 * i),
        }),
      ],
      ["OUTPUT0", "OUTPUT1"],
    ],
    [
      "iris",
      irisModel().onnx,
      [
        createTensor({
          name: "input",
          datatype: "FP32",
          shape: [2, 4],
          data: Float32Array.of(5.1, 3.5, 1.4, 0.2, 6.7, 3, 5.2, 2.3),
        }),
      ],
      ["predict", "predict_proba"],
    ],
  ] as const)(
    "should give %s the results and metadata of an in-thread session",
    async (_, onnx, inputs, outputs) => {
      const inThread = createOnnxRuntime({ kind: "onnx", model: onnx });
      const pooled = createOnnxRuntime({ kind: "onnx", model: onnx, workers });
      await inThread.load();
      await pooled.load();
      expect(pooled.metadata()).toEqual(inThread.metadata());
      // Inputs may move to the worker, so each side gets its own copy.
      const copy = () => inputs.map((t) => createTensor({ ...t, data: t.data.slice() as Tensor["data"] }));
      const [a, b] = await Promise.all([
        inThread.infer(copy(), { outputs }),
        Promise.all([1, 2, 3].map(() => pooled.infer(copy(), { outputs }))),
      ]);
      for (const result of b) {
        expect(values(result)).toEqual(values(a));
      }
      await pooled.unload();
      await inThread.unload();
      await expect(pooled.infer(copy(), { outputs })).rejects.toThrow("not loaded");
    },
  );

  it("should reject a model ONNX Runtime cannot load, on every worker", async () => {
    await expect(workers.open(new Uint8Array([1, 2, 3]))).rejects.toThrow();
  });

  it.runIf(existsSync("/proc/thread-self"))(
    "should run its threads at a lower priority than the event loop",
    async () => {
      const pooled = createOnnxRuntime({ kind: "onnx", model: irisModel().onnx, workers });
      await pooled.load();
      const nice = threadNiceValues();
      await pooled.unload();
      expect(nice.get(process.pid)).toBe(0);
      expect([...nice.values()].filter((n) => n >= 10).length).toBeGreaterThanOrEqual(2);
    },
  );
});

/** Nice value (field 19 of each task's stat) by thread id. */
function threadNiceValues(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    nice.set(Number(tid), Number(procStatFields(`/proc/self/task/${tid}/stat`)[19 - 3]));
  }
  return nice;
}
