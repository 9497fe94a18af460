import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientProtocol } from "./client-options.js";
import { createOipClient } from "./create-oip-client.js";
import { inferInput } from "./infer-input.js";
import type { OipClient } from "./oip-client.js";
import { requestedOutput } from "./requested-output.js";
import { hasPython3, type PeerServer, startPeerServer } from "./testing/peer-server.js";
import { freePort } from "./testing/scripted-server.js";

/**
 * Interoperability with MLServer 1.7.1 (a real OIP server from PyPI) serving a scikit-learn iris
 * model. test/mlserver/setup.sh creates (or reuses) the venv, trains the model and starts the
 * server; the first run installs MLServer, which takes minutes.
 */

const setup = resolve(import.meta.dirname, "../test/mlserver/setup.sh");

const python3 = hasPython3();
if (!python3) {
  console.warn("mlserver.test.ts: skipped: python3 is not installed, so MLServer cannot be set up");
}

let peer: PeerServer | undefined;
let dir: string | undefined;
let httpUrl: string;
let grpcUrl: string;

async function startMlserver(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), "tensorwire-mlserver-"));
  const [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()];
  httpUrl = `http://127.0.0.1:${http}`;
  grpcUrl = `http://127.0.0.1:${grpc}`;
  peer = await startPeerServer(setup, [dir, String(http), String(grpc), String(metrics)], "mlserver ready");
}

async function stopMlserver(): Promise<void> {
  await peer?.stop();
  if (dir !== undefined) {
    rmSync(dir, { recursive: true, force: true });
  }
}

const flowers = [
  [5.1, 3.5, 1.4, 0.2],
  [6.7, 3.0, 5.2, 2.3],
];

describe.skipIf(!python3)("against MLServer 1.7.1", () => {
  // The first run installs MLServer into the venv (minutes); later runs only start it (seconds).
  beforeAll(startMlserver, 900_000);
  afterAll(stopMlserver, 30_000);

  describe.each([
    ["REST JSON", "rest", false],
    ["gRPC, raw contents", "grpc", true],
    ["gRPC, typed contents", "grpc", false],
  ] as [string, ClientProtocol, boolean][])("%s", (_, protocol, rawContents) => {
    let client: OipClient;
    beforeAll(() => {
      client = createOipClient(protocol === "rest" ? httpUrl : grpcUrl, { protocol, rawContents });
    });
    afterAll(() => client.close());

    it("should see the server and the model as live and ready", async () => {
      expect(await client.isServerLive()).toBe(true);
      expect(await client.isServerReady()).toBe(true);
      expect(await client.isModelReady("iris")).toBe(true);
      expect(await client.isModelReady("nope")).toBe(false);
      expect((await client.serverMetadata()).name).toBe("mlserver");
      expect((await client.modelMetadata("iris")).name).toBe("iris");
    });

    it("should classify two flowers", async () => {
      const result = await client.infer("iris", [inferInput("input-0", [2, 4], "FP64", flowers)], {
        id: "mls-1",
      });
      expect(result.modelName).toBe("iris");
      expect(result.id).toBe("mls-1");
      expect(Array.from(result.asTypedArray("predict", "INT64"))).toEqual([0n, 2n]);
    });

    it("should return the requested output only", async () => {
      const result = await client.infer("iris", [inferInput("input-0", [2, 4], "FP64", flowers)], {
        outputs: [requestedOutput("predict_proba")],
      });
      expect(result.outputs.map((o) => o.name)).toEqual(["predict_proba"]);
      const proba = result.asTypedArray("predict_proba", "FP64");
      expect(result.output("predict_proba")?.shape).toEqual([2, 3]);
      expect((proba[0] as number) + (proba[1] as number) + (proba[2] as number)).toBeCloseTo(1, 6);
    });

    it("should surface MLServer's error for an unknown model", async () => {
      const err = await client
        .infer("nope", [inferInput("input-0", [1, 4], "FP64", [[1, 2, 3, 4]])])
        .catch((e) => e);
      expect(err).toMatchObject({ code: "not_found", serverMessage: expect.stringMatching(/nope/) });
    });

    it("should list the repository", async () => {
      const index = await client.repositoryIndex();
      expect(index).toContainEqual(expect.objectContaining({ name: "iris", state: "READY" }));
    });
  });

  describe("REST with binary data", () => {
    it("should decode outputs when binary outputs are asked for (MLServer answers JSON)", async () => {
      const client = createOipClient(httpUrl);
      const result = await client.infer("iris", [inferInput("input-0", [2, 4], "FP64", flowers)], {
        outputs: [requestedOutput("predict", { binary: true })],
      });
      await client.close();
      expect(Array.from(result.asTypedArray("predict", "INT64"))).toEqual([0n, 2n]);
    });

    it("should report MLServer's failure on binary inputs with its status and message", async () => {
      // MLServer 1.7.1 has no binary data extension: an input without `data` fails inside the
      // runtime, and it answers 500 with a Python traceback as plain text.
      const client = createOipClient(httpUrl, { binaryData: true, retries: 0 });
      const err = await client
        .infer("iris", [inferInput("input-0", [2, 4], "FP64", flowers)])
        .catch((e) => e);
      await client.close();
      expect(err).toMatchObject({ code: "internal", status: 500 });
      expect(err.serverMessage).toMatch(/Traceback/);
    });
  });
});
