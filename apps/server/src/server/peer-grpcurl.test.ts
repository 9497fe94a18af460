import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./start-server.js";

/**
 * Peer test: grpcurl, using server reflection instead of .proto files. test/peer/setup-grpcurl.sh
 * builds the pinned grpcurl with the Go toolchain into <repo>/.cache/grpcurl on first run (about two
 * minutes, then cached); without Go the test is skipped with the reason printed.
 */

const run = promisify(execFile);
const setup = fileURLToPath(new URL("../../test/peer/setup-grpcurl.sh", import.meta.url));
const grpcurl = fileURLToPath(new URL("../../../../.cache/grpcurl/bin/grpcurl", import.meta.url));

/** The grpcurl request body of Seldon's inference docs (https://docs.seldon.ai/seldon-core-2/user-guide/inference/inference), verbatim. */
const irisBody =
  '{"model_name":"iris","inputs":[{"name":"input","contents":{"fp32_contents":[1,2,3,4]},"datatype":"FP32","shape":[1,4]}]}';

async function built(): Promise<boolean> {
  try {
    await run("bash", [setup], { timeout: 600_000 });
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 3) {
      console.log("skipping the grpcurl peer test: no Go toolchain to build grpcurl");
      return false;
    }
    throw err;
  }
}

const available = await built();

describe.skipIf(!available)("grpcurl peer (server reflection)", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.close());

  it("should list the services", async () => {
    const { stdout } = await run(grpcurl, ["-plaintext", server.address, "list"]);
    expect(stdout.trim().split("\n")).toEqual([
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "inference.GRPCInferenceService",
      "seldon.protos.Combiner",
      "seldon.protos.Generic",
      "seldon.protos.Model",
      "seldon.protos.OutputTransformer",
      "seldon.protos.Router",
      "seldon.protos.Seldon",
      "seldon.protos.Transformer",
    ]);
  });

  it("should describe a message", async () => {
    const { stdout } = await run(grpcurl, [
      "-plaintext",
      server.address,
      "describe",
      "inference.ModelInferRequest",
    ]);
    expect(stdout).toContain("repeated bytes raw_input_contents = 7;");
  });

  it("should run Seldon's documented grpcurl call (reflection instead of -proto)", async () => {
    const { stdout, stderr } = await run(grpcurl, [
      "-d",
      irisBody,
      "-plaintext",
      "-rpc-header",
      "seldon-model:iris",
      "-v",
      server.address,
      "inference.GRPCInferenceService/ModelInfer",
    ]);
    expect(stderr).toBe("");
    expect(stdout).toMatch(/x-request-id: [0-9a-v]{20}/);
    const json = JSON.parse(stdout.slice(stdout.indexOf("{"), stdout.lastIndexOf("}") + 1));
    expect(json.modelName).toBe("iris");
    expect(json.outputs[0]).toMatchObject({ name: "predict", contents: { int64Contents: ["2"] } });
  });

  it("should show the gRPC status of a failure", async () => {
    const failure = await run(grpcurl, [
      "-d",
      '{"model_name":"nope"}',
      "-plaintext",
      server.address,
      "inference.GRPCInferenceService/ModelInfer",
    ]).then(
      () => undefined,
      (err: { stderr: string }) => err.stderr,
    );
    expect(failure).toMatch(/Code: NotFound/);
    expect(failure).toMatch(/nope/);
  });
});
