import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { GRPCInferenceService, ModelInferRequestSchema } from "@tensorwire/proto/oip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipelineInspect } from "../server/run-pipeline-inspect.js";
import { type RunningServer, startServer } from "../server/start-server.js";

const oneTo16 = Array.from({ length: 16 }, (_, i) => i + 1);
// The tfsimples request of Seldon's inference examples (https://docs.seldon.ai/seldon-core-2/examples/inference), verbatim.
const tfsimplesBody =
  '{"inputs":[{"name":"INPUT0","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"datatype":"INT32","shape":[1,16]},{"name":"INPUT1","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"datatype":"INT32","shape":[1,16]}]}';
// tfsimple1: sum = 2a, difference = 0; tfsimple2 takes (sum, difference): OUTPUT0 = 2a, OUTPUT1 = 2a.
const doubled = oneTo16.map((x) => 2 * x);

describe("pipelines served by startServer()", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ port: 0, logLevel: "silent" });
  });
  afterAll(() => server.close());

  it("should run Seldon's documented tfsimples request through seldon-model, echoing x- headers", async () => {
    const res = await fetch(`${server.url}/v2/models/tfsimples/infer`, {
      method: "POST",
      headers: { "content-type": "application/json", "seldon-model": "tfsimples.pipeline", "X-foo": "bar" },
      body: tfsimplesBody,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-foo")).toBe("bar");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-v]{20}$/);
    expect(res.headers.get("x-pipeline-version")).toBe("1");
    const body = (await res.json()) as { outputs: { name: string; data: number[] }[] };
    expect(body.outputs.map((o) => o.name).sort()).toEqual(["OUTPUT0", "OUTPUT1"]);
    for (const output of body.outputs) {
      expect(output.data).toEqual(doubled);
    }
  });

  it("should serve /v2/pipelines/{name}/infer and ready", async () => {
    const ready = await fetch(`${server.url}/v2/pipelines/tfsimples/ready`);
    expect(ready.status).toBe(200);
    const res = await fetch(`${server.url}/v2/pipelines/tfsimples/infer`, {
      method: "POST",
      body: tfsimplesBody,
    });
    expect(res.status).toBe(200);
    const missing = await fetch(`${server.url}/v2/pipelines/nope/infer`, {
      method: "POST",
      body: tfsimplesBody,
    });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toMatch(/pipeline 'nope'/);
  });

  it("should run the pipeline over gRPC with seldon-model metadata", async () => {
    const client = createClient(GRPCInferenceService, createGrpcTransport({ baseUrl: server.url }));
    const input = (name: string) => ({
      name,
      datatype: "INT32",
      shape: [1n, 16n],
      contents: { intContents: oneTo16 },
    });
    let pipelineVersion: string | null = null;
    const response = await client.modelInfer(
      create(ModelInferRequestSchema, { modelName: "tfsimples", inputs: [input("INPUT0"), input("INPUT1")] }),
      {
        headers: { "seldon-model": "tfsimples.pipeline" },
        onHeader: (headers) => {
          pipelineVersion = headers.get("x-pipeline-version");
        },
      },
    );
    expect(pipelineVersion).toBe("1");
    expect(response.outputs.map((o) => o.name).sort()).toEqual(["OUTPUT0", "OUTPUT1"]);
  });

  it("should show the last request's steps with `pipeline inspect`, and a given request id", async () => {
    const res = await fetch(`${server.url}/v2/models/tfsimples/infer`, {
      method: "POST",
      headers: { "seldon-model": "tfsimples.pipeline", "x-request-id": "inspect-me" },
      body: tfsimplesBody,
    });
    expect(res.status).toBe(200);
    let out = "";
    const append = (t: string) => {
      out += t;
    };
    const io = { stdout: append, stderr: append };
    expect(await runPipelineInspect(["tfsimples", "--url", server.url], io)).toBe(0);
    expect(out).toContain("inspect-me");
    expect(out).toContain("seldon.default.model.tfsimple2.outputs");
    out = "";
    expect(
      await runPipelineInspect(
        ["tfsimples", "--url", server.url, "--request-id", "nope", "--offset", "5"],
        io,
      ),
    ).not.toBe(0);
  });
});
