import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { identityModel, tfsimpleModel } from "@tensorwire/models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasPython, pythonEnv, repoRoot, run, type ServedCli, serveCli } from "./serve.js";

/**
 * Triton's official Python client examples that need neither shared memory nor sequence batching
 * (https://github.com/triton-inference-server/client/tree/main/src/python/examples), as
 * re-implemented in test/examples/triton/ (see its README for why they are re-implementations and
 * which examples are left out), run with tritonclient 2.73.0 from PyPI against `tensorwire serve`:
 * the default zoo with `--server-name triton`, and for the model-control examples a repository of
 * exactly the seven (HTTP) or eight (gRPC) models their upstream versions count, in explicit mode.
 */

const scripts = join(repoRoot, "test/examples/triton");
const python = join(repoRoot, ".venv/tritonclient/bin/python");

const againstZoo = [
  "simple_http_infer_client",
  "simple_http_async_infer_client",
  "simple_http_aio_infer_client",
  "simple_http_string_infer_client",
  "simple_http_health_metadata",
  "simple_grpc_infer_client",
  "simple_grpc_async_infer_client",
  "simple_grpc_aio_infer_client",
  "simple_grpc_string_infer_client",
  "simple_grpc_health_metadata",
  "simple_grpc_custom_args_client",
  "simple_grpc_keepalive_client",
  "grpc_explicit_int_content_client",
  "grpc_explicit_int8_content_client",
  "grpc_explicit_byte_content_client",
];

/** A repository of `count` models: `simple` (Triton's config: max_batch_size 8) and identities. */
function writeRepository(root: string, count: number): void {
  const write = (name: string, onnx: Uint8Array, config?: string) => {
    mkdirSync(join(root, name, "1"), { recursive: true });
    writeFileSync(join(root, name, "1", "model.onnx"), onnx);
    if (config !== undefined) {
      writeFileSync(join(root, name, "config.yaml"), config);
    }
  };
  write("simple", tfsimpleModel().onnx, "maxBatchSize: 8\ngrpcRawOutput: true\n");
  const identities = (["INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64"] as const).slice(
    0,
    count - 1,
  );
  for (const datatype of identities) {
    write(`identity_${datatype.toLowerCase()}`, identityModel(datatype).onnx);
  }
}

const available = await hasPython();

describe.skipIf(!available)("Triton's Python client examples against tensorwire serve", () => {
  let zoo: ServedCli;
  let http: ServedCli;
  let grpc: ServedCli;
  const dir = mkdtempSync(join(tmpdir(), "tensorwire-triton-examples-"));

  beforeAll(async () => {
    // The first run installs tritonclient and its dependencies from PyPI (~60 MB).
    await pythonEnv("tritonclient");
    writeRepository(join(dir, "seven"), 7);
    writeRepository(join(dir, "eight"), 8);
    const explicit = ["--model-control-mode", "explicit", "--model-repository"];
    [zoo, http, grpc] = await Promise.all([
      serveCli(["--server-name", "triton"]),
      serveCli([...explicit, join(dir, "seven")]),
      serveCli([...explicit, join(dir, "eight")]),
    ]);
  }, 660_000);
  afterAll(async () => {
    await Promise.all([zoo?.stop(), http?.stop(), grpc?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function example(script: string, args: readonly string[]): Promise<string> {
    const { stdout } = await run(python, [join(scripts, `${script}.py`), ...args], {
      cwd: scripts,
      timeout: 120_000,
    }).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`${script} failed:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
    });
    return stdout;
  }

  it.each(againstZoo)("%s", async (script) => {
    expect(await example(script, ["-u", zoo.address])).toContain(`PASS: ${script}`);
  });

  it.each(["HTTP", "gRPC"])("memory_growth_test over %s", async (protocol) => {
    const out = await example("memory_growth_test", ["-u", zoo.address, "-i", protocol]);
    expect(out).toContain(`PASS: memory_growth_test (${protocol})`);
  });

  it("simple_http_model_control (a repository of seven models)", async () => {
    expect(await example("simple_http_model_control", ["-u", http.address])).toContain(
      "PASS: simple_http_model_control",
    );
  });

  it("simple_grpc_model_control (a repository of eight models)", async () => {
    expect(await example("simple_grpc_model_control", ["-u", grpc.address])).toContain(
      "PASS: simple_grpc_model_control",
    );
  });
});
