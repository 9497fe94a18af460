import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createKServeV1Client, createOipClient, InferenceError, inferInput } from "@tensorwire/client";
import { defineModel, type RunningServer, startServer } from "@tensorwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Models written in TypeScript, as a user registers them: in memory through `startServer({ models })`,
 * and from a model repository whose config names a module under an allowed root. The modules live
 * inside the repository's tree (test/src/.tmp) so that they can import @tensorwire/server.
 */
const dir = new URL("./.tmp/custom-models/", import.meta.url).pathname;
const repo = join(dir, "repo");

const doubler = defineModel({
  inputs: [{ name: "x", datatype: "FP32", shape: [-1, 2] }],
  outputs: [{ name: "y", datatype: "FP32", shape: [-1, 2] }],
  infer: ({ x }) => ({ y: { shape: x.shape, data: x.data.map((v) => v * 2) } }),
});

const tripler = `import { defineModel } from "@tensorwire/server";

const factor: number = 3;

export default defineModel({
  inputs: [{ name: "x", datatype: "INT32", shape: [-1] }],
  outputs: [{ name: "y", datatype: "INT32", shape: [-1] }],
  infer: ({ x }) => ({ y: { shape: x.shape, data: x.data.map((v) => v * factor) } }),
});
`;

function writeModule(model: string, file: string, code: string, config: string): void {
  mkdirSync(join(repo, model), { recursive: true });
  writeFileSync(join(repo, model, file), code);
  writeFileSync(join(repo, model, "config.yaml"), config);
}

let server: RunningServer;
beforeAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  writeModule("tripler", "model.ts", tripler, "runtime: module\nmodule: model.ts\n");
  writeModule("refused", "model.ts", tripler, "runtime: module\nmodule: model.ts\n");
  server = await startServer({
    models: [
      {
        name: "doubler",
        runtime: doubler,
        // The config applies as to any model: "input" is also accepted, and FP64 is cast to FP32.
        config: { inputs: [{ name: "x", aliases: ["input"], acceptDatatypes: ["FP64"] }] },
      },
    ],
    repository: repo,
    // Only the tripler's directory may hold modules the server imports.
    moduleRoots: [join(repo, "tripler")],
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a model written in TypeScript, registered with startServer({ models })", () => {
  it.each(["rest", "grpc"] as const)("should answer OIP %s", async (protocol) => {
    const client = createOipClient(server.url, { protocol });
    try {
      const result = await client.infer("doubler", [inferInput("x", [2, 2], "FP32", [1, 2, 3, 4])]);
      expect([...result.asTypedArray("y", "FP32")]).toEqual([2, 4, 6, 8]);
      const metadata = await client.modelMetadata("doubler");
      expect(metadata.outputs).toEqual([{ name: "y", datatype: "FP32", shape: [-1, 2] }]);
    } finally {
      await client.close();
    }
  });

  it("should take the config's alias and datatype cast", async () => {
    const client = createOipClient(server.url, { protocol: "grpc" });
    try {
      const result = await client.infer("doubler", [inferInput("input", [1, 2], "FP64", [0.5, 1.5])]);
      expect([...result.asTypedArray("y", "FP32")]).toEqual([1, 3]);
    } finally {
      await client.close();
    }
  });

  it("should answer KServe V1 :predict", async () => {
    const kserve = createKServeV1Client(server.url);
    try {
      const result = await kserve.infer("doubler", [inferInput("x", [1, 2], "FP32", [[5, 6]])], {
        outputMetadata: [{ name: "y", datatype: "FP32", shape: [-1, 2] }],
      });
      expect([...result.asTypedArray("y", "FP32")]).toEqual([10, 12]);
    } finally {
      await kserve.close();
    }
  });

  it("should answer a request its metadata refuses with 400 before running", async () => {
    const client = createOipClient(server.url, { protocol: "rest" });
    try {
      const failure = client.infer("doubler", [inferInput("x", [1, 3], "FP32", [1, 2, 3])]);
      await expect(failure).rejects.toMatchObject({ status: 400, code: "invalid_argument" });
    } finally {
      await client.close();
    }
  });
});

describe("a model repository's runtime: module", () => {
  it("should serve a TypeScript module under an allowed root, on REST and gRPC", async () => {
    for (const protocol of ["rest", "grpc"] as const) {
      const client = createOipClient(server.url, { protocol });
      try {
        const result = await client.infer("tripler", [inferInput("x", [3], "INT32", [1, 2, 3])]);
        expect([...result.asTypedArray("y", "INT32")]).toEqual([3, 6, 9]);
      } finally {
        await client.close();
      }
    }
  });

  it("should refuse a module outside the allowed roots, saying why", async () => {
    // No retries: UNAVAILABLE is retryable, and this one never changes.
    const rest = createOipClient(server.url, { protocol: "rest", retries: 0 });
    const grpc = createOipClient(server.url, { protocol: "grpc", retries: 0 });
    try {
      const input = [inferInput("x", [1], "INT32", [1])];
      const restFailure = await rest.infer("refused", input).catch((err: unknown) => err);
      expect(restFailure).toBeInstanceOf(InferenceError);
      expect(restFailure).toMatchObject({ status: 503, code: "unavailable" });
      expect((restFailure as InferenceError).serverMessage).toMatch(
        /module '.*refused\/model\.ts' is outside the directories the server may import modules from/,
      );
      await expect(grpc.infer("refused", input)).rejects.toMatchObject({ status: 14, code: "unavailable" });
      const index = await rest.repositoryIndex();
      expect(index.find((entry) => entry.name === "refused")).toMatchObject({
        state: "UNAVAILABLE",
        reason: expect.stringContaining("--module-root"),
      });
    } finally {
      await rest.close();
      await grpc.close();
    }
  });
});

describe("tensorwire serve --module-root", () => {
  it("should serve a TypeScript module with Node's own type stripping, and log", async () => {
    const bin = fileURLToPath(new URL("../../apps/server/bin/tensorwire.js", import.meta.url));
    const cli = spawn(
      process.execPath,
      [bin, "serve", "--port", "0", "--host", "127.0.0.1", "--log-level", "warn"].concat([
        "--model-repository",
        repo,
        "--module-root",
        join(repo, "tripler"),
      ]),
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    cli.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise((resolve) => cli.once("exit", resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        cli.stdout?.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match) resolve(match[1] as string);
        });
        cli.once("exit", (code) => reject(new Error(`tensorwire serve exited with ${code}: ${out}`)));
      });
      const client = createOipClient(url, { protocol: "rest" });
      try {
        const result = await client.infer("tripler", [inferInput("x", [2], "INT32", [5, 7])]);
        expect([...result.asTypedArray("y", "INT32")]).toEqual([15, 21]);
        const refused = client.infer("tripler", [inferInput("x", [1, 1], "INT32", [5])], {
          headers: { "x-request-id": "bad-1" },
        });
        await expect(refused).rejects.toMatchObject({ status: 400 });
      } finally {
        await client.close();
      }
    } finally {
      cli.kill("SIGTERM");
      await exited;
    }
    // The client's mistake is logged at warn, a pino JSON line carrying the request id.
    const line = stderr.split("\n").find((l) => l.includes('"requestId":"bad-1"'));
    expect(JSON.parse(line ?? "{}")).toMatchObject({ level: 40, model: "tripler", code: "invalid_argument" });
  });
});
