import { TensorwireError } from "@tensorwire/codec";
import { describe, expect, it } from "vitest";
import { fakeDataPlane, int32 } from "../testing/pipeline-test-helpers.js";
import { createInferenceLogDataPlane } from "./create-inference-log-data-plane.js";
import { createInferenceLogger, type InferenceLogSink } from "./create-inference-logger.js";
import { decodeInferenceLog, modelIdOf } from "./inference-log-schema.js";

const plane = fakeDataPlane({
  double: {
    run: ([t]) => [
      int32(
        "OUTPUT0",
        Array.from((t?.data as Int32Array) ?? [], (x) => 2 * x),
      ),
    ],
  },
  broken: {
    run: () => {
      throw new TensorwireError("not_found", "no such thing");
    },
  },
});

function memorySink() {
  const records: { key: string; value: Buffer }[] = [];
  const sink: InferenceLogSink = async (batch) => {
    records.push(...batch);
  };
  return { records, sink };
}

describe("createInferenceLogDataPlane()", () => {
  it("should log successes and failures as inferencelog records", async () => {
    const { records, sink } = memorySink();
    const logger = createInferenceLogger(sink);
    const logged = createInferenceLogDataPlane(plane, logger);
    const ctx = { requestId: "r1", protocol: "rest" };
    await logged.infer({ name: "double", version: "3" }, { inputs: [int32("INPUT0", [1, 2])] }, ctx);
    await expect(
      logged.infer({ name: "broken" }, { inputs: [] }, { ...ctx, requestId: "r2" }),
    ).rejects.toThrow("no such thing");
    await logger.close();
    expect(records.map((r) => r.key)).toEqual(["r1", "r2"]);
    const [ok, failed] = records.map((r) => decodeInferenceLog(r.value));
    expect(ok).toMatchObject({
      modelId: modelIdOf("double"),
      modelName: "double",
      modelVersion: 3,
      responseHttpCode: 200,
    });
    expect(JSON.parse(ok?.inferenceResponse ?? "")).toEqual({
      model_name: "double",
      outputs: [{ name: "OUTPUT0", datatype: "INT32", shape: [1, 2], data: [2, 4] }],
    });
    expect(failed).toMatchObject({ modelName: "broken", modelVersion: 0, responseHttpCode: 404 });
    expect(JSON.parse(failed?.inferenceResponse ?? "")).toEqual({ error: "no such thing" });
    expect(logger.stats()).toEqual({ logged: 2, dropped: 0, failed: 0, queued: 0 });
  });

  it("should drop and count beyond its queue, and never fail an inference when the sink fails", async () => {
    const logger = createInferenceLogger(
      async () => {
        throw new Error("broker down");
      },
      { queueSize: 3 },
    );
    const logged = createInferenceLogDataPlane(plane, logger);
    // Synchronous calls: the queue fills before the first background drain.
    const calls = Array.from({ length: 5 }, (_, i) =>
      logged.infer(
        { name: "double" },
        { inputs: [int32("INPUT0", [i])] },
        { requestId: `r${i}`, protocol: "grpc" },
      ),
    );
    const responses = await Promise.all(calls);
    expect(responses).toHaveLength(5);
    await logger.close();
    expect(logger.stats()).toEqual({ logged: 0, dropped: 2, failed: 3, queued: 0 });
  });
});

describe("modelIdOf()", () => {
  it("should be a stable non-negative Avro int", () => {
    // FNV-1a("tfsimple") = 0xb6c69da5 (computed independently), folded to 31 bits.
    expect(modelIdOf("tfsimple")).toBe(0xb6c69da5 & 0x7fffffff);
    expect(modelIdOf("")).toBe(0x811c9dc5 & 0x7fffffff);
  });
});
