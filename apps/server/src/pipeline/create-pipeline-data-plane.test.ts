import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TensorwireError } from "@tensorwire/codec";
import { tfsimpleModel } from "@tensorwire/models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerCore, type ServerCore } from "../core/server-core.js";
import { int32, valuesOf } from "../testing/pipeline-test-helpers.js";
import { createInspectHandler } from "./create-inspect-handler.js";
import { createPipelineDataPlane, type PipelineDataPlane } from "./create-pipeline-data-plane.js";
import { defaultPipelines } from "./default-pipelines.js";
import { parsePipelines } from "./load-pipelines.js";
import { runPipelineInspect } from "./run-pipeline-inspect.js";

const seq = Array.from({ length: 16 }, (_, i) => i + 1);
// The seed's request body: INPUT0 = INPUT1 = 1..16.
const seedRequest = { inputs: [int32("INPUT0", seq), int32("INPUT1", seq)] };
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

  it("should answer the seed's tfsimples request: OUTPUT0 = 2·INPUT0, OUTPUT1 = 2·INPUT1", async () => {
    const response = await plane.infer({ name: "tfsimples.pipeline" }, seedRequest, {
      requestId: "seed",
      protocol: "rest",
    });
    expect(response.modelName).toBe("tfsimples");
    expect(response.id).toBe("seed");
    expect(response.outputs.map((t) => [t.name, t.datatype, t.shape])).toEqual([
      ["OUTPUT0", "INT32", [1, 16]],
      ["OUTPUT1", "INT32", [1, 16]],
    ]);
    expect(valuesOf(response.outputs, "OUTPUT0")).toEqual(seq.map((x) => 2 * x));
    expect(valuesOf(response.outputs, "OUTPUT1")).toEqual(seq.map((x) => 2 * x));
  });

  it("should pass models through untouched", async () => {
    const response = await plane.infer({ name: "tfsimple" }, seedRequest, {
      requestId: "m",
      protocol: "rest",
    });
    expect(valuesOf(response.outputs, "OUTPUT1")).toEqual(seq.map(() => 0));
    expect(plane.modelReady({ name: "tfsimple" })).toBe(true);
  });

  it("should answer ready and metadata for pipelines", () => {
    expect(plane.modelReady({ name: "tfsimples.pipeline" })).toBe(true);
    expect(plane.modelReady({ name: "nope.pipeline" })).toBe(false);
    const meta = plane.modelMetadata({ name: "tfsimples.pipeline" });
    expect(meta.inputs.map((t) => t.name)).toEqual(["INPUT0", "INPUT1"]);
    expect(meta.outputs.map((t) => [t.name, t.datatype])).toEqual([
      ["OUTPUT0", "INT32"],
      ["OUTPUT1", "INT32"],
    ]);
    expect(() => plane.modelMetadata({ name: "nope.pipeline" })).toThrow(/pipeline 'nope' not found/);
  });

  it("should refuse a synchronous call to a pipeline without output, and run it asynchronously", async () => {
    const err = await plane
      .infer({ name: "sink.pipeline" }, seedRequest, { requestId: "s", protocol: "rest" })
      .catch((e: unknown) => e);
    expect((err as TensorwireError).code).toBe("failed_precondition");
    expect((err as Error).message).toMatch(/declares no output/);
    await expect(
      plane.runPipeline("sink", seedRequest, { requestId: "s2", protocol: "kafka" }),
    ).resolves.toBe(undefined);
    expect(plane.inspect("sink", {})[0]?.steps.get("tfsimple")?.outputs?.length).toBe(2);
  });

  it("should keep the last requests for inspect, newest first, within its capacity", async () => {
    for (const id of ["a", "b", "c", "d"]) {
      await plane.infer({ name: "tfsimples.pipeline" }, seedRequest, { requestId: id, protocol: "rest" });
    }
    expect(plane.inspect("tfsimples", {}).map((t) => t.requestId)).toEqual(["d"]);
    expect(plane.inspect("tfsimples", { offset: 10 }).map((t) => t.requestId)).toEqual(["d", "c", "b"]);
    expect(plane.inspect("tfsimples", { requestId: "c", offset: 2 })[0]?.requestId).toBe("c");
    expect(() => plane.inspect("tfsimples", { requestId: "c" })).toThrow(/raise --offset/);
    expect(() => plane.inspect("tfsimples", { requestId: "a", offset: 3 })).toThrow(TensorwireError);
  });
});

describe("runPipelineInspect()", () => {
  let core: ServerCore;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    core = await createServerCore({ models: [{ name: "tfsimple", onnx: tfsimpleModel().onnx }] });
    const plane = createPipelineDataPlane(core.dataPlane, defaultPipelines());
    await plane.infer({ name: "tfsimples.pipeline" }, seedRequest, {
      requestId: "carjjolvqj3j2pfbut10",
      protocol: "rest",
    });
    await plane.infer({ name: "tfsimples.pipeline" }, seedRequest, { requestId: "later", protocol: "rest" });
    const inspect = createInspectHandler(plane);
    server = createServer((req, res) => {
      if (!inspect(req, res)) {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await core.close();
  });

  async function cli(...argv: string[]) {
    let out = "";
    let err = "";
    const code = await runPipelineInspect([...argv, "--url", url], {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        err += t;
      },
    });
    return { code, out, err };
  }

  it("should print Seldon's topic lines for a request id", async () => {
    const { code, out } = await cli("tfsimples", "--request-id", "carjjolvqj3j2pfbut10", "--offset", "10");
    expect(code).toBe(0);
    const lines = out.trim().split("\n");
    expect(lines.map((l) => l.split("\t").slice(0, 2).join(" "))).toEqual([
      "seldon.default.model.tfsimple1.inputs carjjolvqj3j2pfbut10",
      "seldon.default.model.tfsimple1.outputs carjjolvqj3j2pfbut10",
      "seldon.default.model.tfsimple2.inputs carjjolvqj3j2pfbut10",
      "seldon.default.model.tfsimple2.outputs carjjolvqj3j2pfbut10",
      "seldon.default.pipeline.tfsimples.inputs carjjolvqj3j2pfbut10",
      "seldon.default.pipeline.tfsimples.outputs carjjolvqj3j2pfbut10",
    ]);
    const tfsimple2Inputs = JSON.parse(lines[2]?.split("\t")[2] as string);
    expect(tfsimple2Inputs.inputs[0]).toEqual({
      name: "INPUT0",
      datatype: "INT32",
      shape: [1, 16],
      data: seq.map((x) => 2 * x),
    });
  });

  it("should show the last request and filter by step and side", async () => {
    const { out } = await cli("tfsimples.tfsimple2.outputs");
    expect(
      out
        .trim()
        .split("\n")
        .map((l) => l.split("\t").slice(0, 2).join(" ")),
    ).toEqual(["seldon.default.model.tfsimple2.outputs later"]);
  });

  it("should report an unknown request or pipeline with exit code 1", async () => {
    expect(await cli("tfsimples", "--request-id", "carjjolvqj3j2pfbut10")).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^404: request 'carjjolvqj3j2pfbut10' is not among the last 1 requests/),
    });
    expect(await cli("nope")).toMatchObject({ code: 1, err: "404: pipeline 'nope' not found\n" });
    expect((await cli()).code).toBe(2);
  });
});
