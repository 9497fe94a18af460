import { tfsimpleModel } from "@tensorwire/models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultPipelines } from "../pipeline/default-pipelines.js";
import { int32 } from "../testing/pipeline-test-helpers.js";
import { runPipelineInspect } from "./run-pipeline-inspect.js";
import { type RunningServer, startServer } from "./start-server.js";

const seq = Array.from({ length: 16 }, (_, i) => i + 1);
const tfsimplesRequest = { inputs: [int32("INPUT0", seq), int32("INPUT1", seq)] };

describe("runPipelineInspect()", () => {
  let server: RunningServer;
  let url: string;
  beforeAll(async () => {
    server = await startServer({
      models: [{ name: "tfsimple", onnx: tfsimpleModel().onnx }],
      pipelines: defaultPipelines(),
      logLevel: "silent",
    });
    url = server.url;
    const plane = server.dataPlane;
    await plane.infer({ kind: "pipeline", name: "tfsimples" }, tfsimplesRequest, {
      requestId: "carjjolvqj3j2pfbut10",
      protocol: "rest",
    });
    await plane.infer({ kind: "pipeline", name: "tfsimples" }, tfsimplesRequest, {
      requestId: "later",
      protocol: "rest",
    });
  });
  afterAll(() => server.close());

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

  it("should report an unknown request or pipeline with exit code 1, in one line", async () => {
    expect(await cli("tfsimples", "--request-id", "carjjolvqj3j2pfbut10")).toMatchObject({
      code: 1,
      err: expect.stringMatching(
        /^tensorwire pipeline inspect: 404: request 'carjjolvqj3j2pfbut10' is not among the last 1 requests.*\n$/,
      ),
    });
    expect(await cli("nope")).toMatchObject({
      code: 1,
      err: "tensorwire pipeline inspect: 404: pipeline 'nope' not found; check the pipeline name, the request id and --offset\n",
    });
    expect(await cli()).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^[^\n]*expected one pipeline expression[^\n]*\n$/),
    });
  });

  it("should say when --url does not answer, or is not tensorwire, with exit code 4", async () => {
    let err = "";
    const code = await runPipelineInspect(["tfsimples", "--url", "http://127.0.0.1:1"], {
      stdout: () => {},
      stderr: (t) => {
        err += t;
      },
    });
    expect({ code, err }).toMatchObject({
      code: 4,
      err: expect.stringMatching(
        /^tensorwire pipeline inspect: cannot reach http:\/\/127\.0\.0\.1:1: .*; check --url and that the server is running\n$/,
      ),
    });
    const html = await runPipelineInspect(["tfsimples"], {
      stdout: () => {},
      stderr: (t) => {
        expect(t).toMatch(
          /answered 404 without a tensorwire error; check that --url is a tensorwire server\n$/,
        );
      },
      fetch: async () =>
        new Response("<html>Not Found</html>", { status: 404, headers: { "content-type": "text/html" } }),
    });
    expect(html).toBe(4);
  });
});

describe("GET /v2/pipelines/{p}/inspect", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ logLevel: "silent" });
  });
  afterAll(() => server.close());

  it("should answer HEAD with GET's headers and no body, and refuse other methods with 405", async () => {
    const get = await fetch(`${server.url}/v2/pipelines/tfsimples/inspect`);
    const head = await fetch(`${server.url}/v2/pipelines/tfsimples/inspect`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(get.headers.get("content-length"));
    expect(await head.text()).toBe("");
    expect(await get.json()).toEqual({ pipeline: "tfsimples", requests: [] });
    const post = await fetch(`${server.url}/v2/pipelines/tfsimples/inspect`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });
});
