import { TensorwireError } from "@tensorwire/codec";
import { tfsimpleModel } from "@tensorwire/models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerCore, type ServerCore } from "../server/create-server-core.js";
import { int32, valuesOf } from "../testing/pipeline-test-helpers.js";
import { createPipelineDataPlane, type PipelineDataPlane } from "./create-pipeline-data-plane.js";
import { defaultPipelines } from "./default-pipelines.js";
import { parsePipelines } from "./load-pipelines.js";

const seq = Array.from({ length: 16 }, (_, i) => i + 1);
// The request of Seldon's tfsimples example (https://docs.seldon.ai/seldon-core-2/examples/inference): INPUT0 = INPUT1 = 1..16.
const tfsimplesRequest = { inputs: [int32("INPUT0", seq), int32("INPUT1", seq)] };
const noOutput = parsePipelines(`apiVersion: mlops.seldon.io/v1alpha1
kind: Pipeline
metadata:
  name: sink
spec:
  steps:
    - name: tfsimple
`);

describe("createPipelineDataPlane()", () => {
  let core: ServerCore;
  let plane: PipelineDataPlane;
  beforeAll(async () => {
    core = await createServerCore({ models: [{ name: "tfsimple", onnx: tfsimpleModel().onnx }] });
    plane = createPipelineDataPlane(core.dataPlane, [...defaultPipelines(), ...noOutput], {
      inspectCapacity: 3,
    });
  });
  afterAll(() => core.close());

  it("should answer Seldon's documented tfsimples request: OUTPUT0 = 2·INPUT0, OUTPUT1 = 2·INPUT1", async () => {
    const response = await plane.infer({ kind: "pipeline", name: "tfsimples" }, tfsimplesRequest, {
      requestId: "tfsimples",
      protocol: "rest",
    });
    expect(response.modelName).toBe("tfsimples");
    expect(response.id).toBe("tfsimples");
    expect(response.outputs.map((t) => [t.name, t.datatype, t.shape])).toEqual([
      ["OUTPUT0", "INT32", [1, 16]],
      ["OUTPUT1", "INT32", [1, 16]],
    ]);
    expect(valuesOf(response.outputs, "OUTPUT0")).toEqual(seq.map((x) => 2 * x));
    expect(valuesOf(response.outputs, "OUTPUT1")).toEqual(seq.map((x) => 2 * x));
  });

  it("should pass models through untouched", async () => {
    const response = await plane.infer({ name: "tfsimple" }, tfsimplesRequest, {
      requestId: "m",
      protocol: "rest",
    });
    expect(valuesOf(response.outputs, "OUTPUT1")).toEqual(seq.map(() => 0));
    expect(plane.modelReady({ name: "tfsimple" })).toBe(true);
  });

  it("should describe a pipeline's version and pass models to the inner plane", () => {
    expect(plane.describe({ kind: "pipeline", name: "tfsimples" })).toEqual({
      kind: "pipeline",
      name: "tfsimples",
      version: "1",
    });
    expect(plane.describe({ kind: "pipeline", name: "nope" })).toBeUndefined();
    expect(plane.describe({ name: "tfsimple" })).toMatchObject({ kind: "model", version: "1" });
  });

  it("should answer ready and metadata for pipelines", () => {
    expect(plane.modelReady({ kind: "pipeline", name: "tfsimples" })).toBe(true);
    expect(plane.modelReady({ kind: "pipeline", name: "nope" })).toBe(false);
    const meta = plane.modelMetadata({ kind: "pipeline", name: "tfsimples" });
    expect(meta.inputs.map((t) => t.name)).toEqual(["INPUT0", "INPUT1"]);
    expect(meta.outputs.map((t) => [t.name, t.datatype])).toEqual([
      ["OUTPUT0", "INT32"],
      ["OUTPUT1", "INT32"],
    ]);
    expect(() => plane.modelMetadata({ kind: "pipeline", name: "nope" })).toThrow(
      /pipeline 'nope' not found/,
    );
  });

  it("should refuse a synchronous call to a pipeline without output, and run it asynchronously", async () => {
    const err = await plane
      .infer({ kind: "pipeline", name: "sink" }, tfsimplesRequest, { requestId: "s", protocol: "rest" })
      .catch((e: unknown) => e);
    expect((err as TensorwireError).code).toBe("failed_precondition");
    expect((err as Error).message).toMatch(/declares no output/);
    await expect(
      plane.runPipeline("sink", tfsimplesRequest, { requestId: "s2", protocol: "kafka" }),
    ).resolves.toBe(undefined);
    expect(plane.inspect("sink", {})[0]?.steps.get("tfsimple")?.outputs?.length).toBe(2);
  });

  it("should keep the last requests for inspect, newest first, within its capacity", async () => {
    for (const id of ["a", "b", "c", "d"]) {
      await plane.infer({ kind: "pipeline", name: "tfsimples" }, tfsimplesRequest, {
        requestId: id,
        protocol: "rest",
      });
    }
    expect(plane.inspect("tfsimples", {}).map((t) => t.requestId)).toEqual(["d"]);
    expect(plane.inspect("tfsimples", { offset: 10 }).map((t) => t.requestId)).toEqual(["d", "c", "b"]);
    expect(plane.inspect("tfsimples", { requestId: "c", offset: 2 })[0]?.requestId).toBe("c");
    expect(() => plane.inspect("tfsimples", { requestId: "c" })).toThrow(/raise --offset/);
    expect(() => plane.inspect("tfsimples", { requestId: "a", offset: 3 })).toThrow(TensorwireError);
  });
});
