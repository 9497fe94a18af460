import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
      "grpc.health.v1.Health",
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

  it("should answer grpc.health.v1.Health/Check with SERVING", async () => {
    const { stdout } = await run(grpcurl, ["-plaintext", server.address, "grpc.health.v1.Health/Check"]);
    expect(JSON.parse(stdout)).toEqual({ status: "SERVING" });
    const oip = await run(grpcurl, [
      "-plaintext",
      "-d",
      '{"service":"inference.GRPCInferenceService"}',
      server.address,
      "grpc.health.v1.Health/Check",
    ]);
    expect(JSON.parse(oip.stdout)).toEqual({ status: "SERVING" });
  });

  it("should answer an unknown method with Unimplemented", async () => {
    // grpcurl sends only methods it has a schema for: a .proto declaring services the server lacks.
    const dir = mkdtempSync(join(tmpdir(), "tensorwire-grpcurl-"));
    try {
      writeFileSync(
        join(dir, "nope.proto"),
        'syntax = "proto3";\npackage nope;\nmessage Empty {}\nservice Nope { rpc Nope(Empty) returns (Empty); }\n' +
          "service GRPCInferenceService { rpc Nope(Empty) returns (Empty); }\n",
      );
      for (const method of ["nope.Nope/Nope", "nope.GRPCInferenceService/Nope"]) {
        const failure = await run(grpcurl, [
          "-plaintext",
          "-import-path",
          dir,
          "-proto",
          "nope.proto",
          server.address,
          method,
        ]).then(
          () => undefined,
          (err: { stderr: string }) => err.stderr,
        );
        expect(failure).toMatch(/Code: Unimplemented/);
      }
    } finally {
      rmSync(dir, { recursive: true });
    }
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
