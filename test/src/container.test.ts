import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { Agent, request } from "node:http";
import { connect } from "node:http2";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createOipClient, inferInput } from "@tensorwire/client";
import { tfsimpleModel } from "@tensorwire/models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The container smoke test: builds the image (deploy/container/build-image.sh: podman, from the
 * local Debian minbase + Node base where registry images cannot be pulled), runs it with a model
 * repository mounted at /mnt/models, probes it over OIP REST and gRPC with our client and with
 * Triton's Python client, runs its HEALTHCHECK, and stops it with SIGTERM while a request is in
 * flight. Where podman is missing it skips and says why; with REQUIRE_CI_TOOLS=1 (set by
 * .ci/run) a missing tool fails instead.
 */

const run = promisify(execFile);
const repo = fileURLToPath(new URL("../../", import.meta.url));
const podman = join(repo, "deploy/container/podman.sh");
const buildImage = join(repo, "deploy/container/build-image.sh");
const smokeScript = join(repo, "deploy/container/smoke/tritonclient_smoke.py");
const pythonVenv = join(repo, "scripts/python-venv.sh");
const grpcurlSetup = join(repo, "apps/server/test/peer/setup-grpcurl.sh");
const python = join(repo, ".venv/tritonclient/bin/python");
const testcontainersScript = join(repo, "deploy/container/smoke/testcontainers_smoke.py");
const testcontainersPython = join(repo, ".venv/testcontainers/bin/python");
const image = "localhost/tensorwire:smoke";
const required = process.env.REQUIRE_CI_TOOLS === "1";

function missingTools(): string | undefined {
  const missing = ["podman", "debootstrap", "runc", "python3"].filter((tool) => {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    return `${missing.join(", ")} not installed (apt-get install podman debootstrap runc; .ci/run does)`;
  }
  if (process.getuid?.() !== 0) {
    return "podman runs rootful here (vfs storage, runc): run as root";
  }
  return undefined;
}

const unavailable = missingTools();
if (unavailable !== undefined) {
  console.log(`skipping the container smoke test: ${unavailable}`);
}

describe.runIf(unavailable !== undefined && required)("container smoke test prerequisites", () => {
  it("should be installed where REQUIRE_CI_TOOLS=1 (CI)", () => {
    expect.fail(`REQUIRE_CI_TOOLS=1 but ${unavailable}`);
  });
});

/** A free loopback port (the container shares the host's network: --network host). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function put(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, content);
}

/** The container's user (uid 10001) reads the mount: directories 755, files 644. */
async function openUp(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry);
    if ((await stat(path)).isDirectory()) {
      await openUp(path);
    } else {
      await chmod(path, 0o644);
    }
  }
}

interface Answer {
  status: number;
  body: string;
}

/** One request on a keep-alive agent; `onWritten` fires once the request is handed to the socket. */
function send(
  agent: Agent,
  url: string,
  method: string,
  body?: string,
  onWritten?: () => void,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body, onWritten);
  });
}

const podmanRun = (args: string[], timeout = 120_000) =>
  run("bash", [podman, ...args], { timeout, maxBuffer: 16 * 1024 * 1024 });

describe.skipIf(unavailable !== undefined)("the container image", () => {
  const name = `tensorwire-smoke-${process.pid}`;
  let root: string;
  let models: string;
  let port: number;
  let apiService: ChildProcess | undefined;
  let url: string;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string) => send(agent, `${url}${path}`, "GET");

  beforeAll(async () => {
    // The base (debootstrap) is built once and kept as an image; the application layers are
    // rebuilt when the sources change. Both are slow on vfs storage.
    const building = Date.now();
    await run("bash", [buildImage, image], { timeout: 1_800_000, maxBuffer: 64 * 1024 * 1024 });
    console.log(`container smoke test: image built in ${((Date.now() - building) / 1000).toFixed(0)} s`);
    await run("bash", [pythonVenv, "tritonclient"], { timeout: 600_000 });

    root = await mkdtemp(join(tmpdir(), "tensorwire-container-"));
    models = join(root, "models");
    const tfsimple = tfsimpleModel().onnx;
    // A Triton-layout model whose tensors come from the ONNX graph (no config file).
    await put(join(models, "add", "1", "model.onnx"), tfsimple);
    // A mock model that takes 3 s: the request in flight during SIGTERM.
    await put(
      join(models, "slow", "config.yaml"),
      [
        "runtime: echo",
        "inputs: [{name: INPUT0, datatype: FP32, shape: [-1]}]",
        "latency: {ms: 3000}",
        "",
      ].join("\n"),
    );
    // The layout Seldon Core v2's agent writes for a Triton-type server: <model>_<version>/ with a
    // config.pbtxt naming it beside the version folder, loaded later over the repository API.
    await put(join(models, "tfsimple_1", "config.pbtxt"), 'name: "tfsimple_1"\n');
    await put(join(models, "tfsimple_1", "1", "model.onnx"), tfsimple);
    await openUp(root);

    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // Created first, so that the cold start below is the server's, not vfs copying the image.
    const creating = Date.now();
    await podmanRun([
      "create",
      "--name",
      name,
      "--network",
      "host",
      "--volume",
      `${models}:/mnt/models:ro`,
      // The HEALTHCHECK probes TENSORWIRE_PORT; the flag below sets the server's port.
      "--env",
      `TENSORWIRE_PORT=${port}`,
      image,
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--model-repository",
      "/mnt/models",
      "--model-control-mode",
      "explicit",
      "--load-model",
      "add",
      "--load-model",
      "slow",
    ]);
    const created = Date.now();
    await podmanRun(["start", name]);
    // Readiness has no event to wait on from outside the container: poll, bounded in count and time.
    for (let attempt = 0; ; attempt++) {
      const ready = await get("/v2/health/ready").catch(() => undefined);
      if (ready?.status === 200) break;
      if (attempt >= 600) {
        const { stdout, stderr } = await podmanRun(["logs", name]).catch(() => ({ stdout: "", stderr: "" }));
        throw new Error(`container not ready 60 s after start:\n${stdout}${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log(
      `container smoke test: podman create ${created - creating} ms, cold start (podman start to ready) ${Date.now() - created} ms`,
    );
  }, 2_400_000);

  afterAll(async () => {
    agent.destroy();
    apiService?.kill("SIGTERM");
    await podmanRun(["rm", "--force", "--time", "0", name]).catch(() => undefined);
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  }, 60_000);

  it("should answer the OIP REST probes and infer on the mounted repository's model", async () => {
    expect((await get("/v2/health/live")).status).toBe(200);
    expect(JSON.parse((await get("/v2")).body)).toMatchObject({ name: "tensorwire" });
    expect((await get("/v2/models/add/ready")).status).toBe(200);
    const inputs = ["INPUT0", "INPUT1"].map((n) => ({
      name: n,
      datatype: "INT32",
      shape: [1, 16],
      data: Array(16).fill(2),
    }));
    const answer = await send(agent, `${url}/v2/models/add/infer`, "POST", JSON.stringify({ inputs }));
    expect(answer.status).toBe(200);
    const outputs = (JSON.parse(answer.body) as { outputs: { name: string; data: number[] }[] }).outputs;
    expect(outputs.find((o) => o.name === "OUTPUT0")?.data).toEqual(Array(16).fill(4));
  });

  it("should answer OIP gRPC on the same port", async () => {
    const client = createOipClient(url, { protocol: "grpc" });
    try {
      expect(await client.isServerReady()).toBe(true);
      const result = await client.infer(
        "add",
        ["INPUT0", "INPUT1"].map((n) => inferInput(n, [1, 16], "INT32", new Int32Array(16).fill(5))),
      );
      expect(Array.from(result.asTypedArray("OUTPUT1", "INT32"))).toEqual(Array(16).fill(0));
    } finally {
      await client.close();
    }
  });

  it("should answer REST over cleartext HTTP/2 too (a KServe h2c port carries REST and gRPC)", async () => {
    const session = connect(url);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const stream = session.request({ ":method": "GET", ":path": "/v2/models/add" });
        let text = "";
        stream.setEncoding("utf8");
        stream.on("data", (chunk: string) => {
          text += chunk;
        });
        stream.on("end", () => resolve(text));
        stream.on("error", reject);
        stream.end();
      });
      expect(JSON.parse(body)).toMatchObject({ name: "add", platform: "onnxruntime_onnx" });
    } finally {
      session.close();
    }
  });

  it("should pass tritonclient's HTTP and gRPC checks, repository load and unload included", async () => {
    const { stdout } = await run(python, [smokeScript, `127.0.0.1:${port}`], { timeout: 120_000 });
    const report = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as {
      passed: string[];
      failed: Record<string, string>;
    };
    expect(report.failed).toEqual({});
    expect(report.passed.sort()).toEqual([
      "grpc_health_and_infer",
      "grpc_repository_load_unload",
      "http_health_and_infer",
    ]);
  });

  it("should pass its HEALTHCHECK", async () => {
    const { stdout } = await podmanRun(["inspect", "--format", "{{json .Config.Healthcheck}}", name]);
    expect(stdout).toContain("/opt/tensorwire/healthcheck.mjs");
    // podman runs the image's HEALTHCHECK command in the container: exit status 0 is healthy.
    const health = await podmanRun(["healthcheck", "run", name], 30_000).then(
      () => "healthy",
      (err: { stdout?: string; stderr?: string }) => `unhealthy: ${err.stdout ?? ""}${err.stderr ?? ""}`,
    );
    expect(health).toBe("healthy");
  });

  it("should run as the non-root user 10001", async () => {
    const { stdout } = await podmanRun(["exec", name, "id", "-u"]);
    expect(stdout.trim()).toBe("10001");
  });

  it("should start without ONNX Runtime's telemetry warnings", async () => {
    // Without ORT_DISABLE_TELEMETRY the image logged "No readable CA bundle was found; telemetry
    // HTTPS uploads will be unavailable" and "Failed to persist telemetry device ID".
    const { stdout, stderr } = await podmanRun(["logs", name]);
    expect(stdout).toContain("tensorwire listening on");
    expect(stdout + stderr).not.toMatch(/telemetry|CA bundle|\[W:onnxruntime/i);
  });

  // Kubernetes' gRPC probes and the chart's probes.type=grpc make this call.
  it("should answer grpc.health.v1.Health/Check with SERVING", async () => {
    await run("bash", [grpcurlSetup], { timeout: 600_000 });
    const grpcurl = join(repo, ".cache/grpcurl/bin/grpcurl");
    const check = await run(grpcurl, ["-plaintext", `127.0.0.1:${port}`, "grpc.health.v1.Health/Check"]);
    expect(JSON.parse(check.stdout)).toEqual({ status: "SERVING" });
  });

  /**
   * Runs the image once more, configured by TENSORWIRE_* variables alone (no arguments after the
   * image name); removed afterwards.
   */
  async function withContainer(
    mount: string,
    env: Record<string, string>,
    check: (base: string) => Promise<void>,
  ): Promise<void> {
    const other = `${name}-env`;
    const otherPort = await freePort();
    const vars = { TENSORWIRE_PORT: String(otherPort), TENSORWIRE_HOST: "127.0.0.1", ...env };
    await podmanRun([
      "run",
      "--detach",
      "--name",
      other,
      "--network",
      "host",
      "--volume",
      `${mount}:/mnt/models:ro`,
      ...Object.entries(vars).flatMap(([key, value]) => ["--env", `${key}=${value}`]),
      image,
    ]);
    try {
      const base = `http://127.0.0.1:${otherPort}`;
      for (let attempt = 0; ; attempt++) {
        const ready = await fetch(`${base}/v2/health/ready`).catch(() => undefined);
        if (ready?.status === 200) break;
        if (attempt >= 600) throw new Error(`${other} not ready 60 s after start`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await check(base);
    } finally {
      await podmanRun(["rm", "--force", "--time", "0", other]).catch(() => undefined);
    }
  }

  it("should take its configuration from TENSORWIRE_* variables, a second gRPC port included", async () => {
    const grpcPort = await freePort();
    await withContainer(
      models,
      {
        TENSORWIRE_MODEL_REPOSITORY: "/mnt/models",
        TENSORWIRE_MODEL_CONTROL_MODE: "explicit",
        TENSORWIRE_LOAD_MODEL: "add,slow",
        TENSORWIRE_GRPC_PORT: String(grpcPort),
      },
      async (base) => {
        expect((await fetch(`${base}/v2/models/add/ready`)).status).toBe(200);
        expect((await fetch(`${base}/v2/models/slow/ready`)).status).toBe(200);
        // Not in TENSORWIRE_LOAD_MODEL, so not loaded in explicit mode.
        expect((await fetch(`${base}/v2/models/tfsimple_1/ready`)).status).not.toBe(200);
        const client = createOipClient(`http://127.0.0.1:${grpcPort}`, { protocol: "grpc" });
        try {
          expect(await client.isModelReady("add")).toBe(true);
        } finally {
          await client.close();
        }
      },
    );
  }, 300_000);

  it("should serve KServe's layout: a bare model.onnx under the name KServe passes", async () => {
    const bare = join(root, "kserve-bare");
    await put(join(bare, "model.onnx"), tfsimpleModel().onnx);
    await openUp(bare);
    await withContainer(
      bare,
      { TENSORWIRE_MODEL_REPOSITORY: "/mnt/models", TENSORWIRE_MODEL_NAME: "tfsimple" },
      async (base) => {
        const metadata = await (await fetch(`${base}/v2/models/tfsimple`)).json();
        expect(metadata).toMatchObject({
          name: "tfsimple",
          inputs: [{ name: "INPUT0" }, { name: "INPUT1" }],
        });
      },
    );
    const folder = join(root, "kserve-folder");
    await put(join(folder, "first.onnx"), tfsimpleModel().onnx);
    await put(join(folder, "second.onnx"), tfsimpleModel().onnx);
    await openUp(folder);
    // KServe's runtime passes TENSORWIRE_MODEL_NAME whatever the layout; here it names nothing.
    await withContainer(
      folder,
      { TENSORWIRE_MODEL_REPOSITORY: "/mnt/models", TENSORWIRE_MODEL_NAME: "folder" },
      async (base) => {
        expect((await fetch(`${base}/v2/models/first/ready`)).status).toBe(200);
        expect((await fetch(`${base}/v2/models/second/ready`)).status).toBe(200);
        const index = (await (
          await fetch(`${base}/v2/repository/index`, { method: "POST", body: "{}" })
        ).json()) as { name: string }[];
        expect(index.map((entry) => entry.name).sort()).toEqual(["first", "second"]);
      },
    );
  }, 300_000);

  it("should start under testcontainers-python through podman's Docker-compatible API", async () => {
    await run("bash", [pythonVenv, "testcontainers"], { timeout: 600_000 });
    const socket = join(root, "podman.sock");
    apiService = spawn("bash", [podman, "system", "service", "--time=0", `unix://${socket}`], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    // The API answers once the socket is bound: poll /_ping, bounded in count and time.
    for (let attempt = 0; ; attempt++) {
      const ping = await new Promise<number>((resolve) => {
        const req = request({ socketPath: socket, path: "/_ping" }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", () => resolve(0));
        req.end();
      });
      if (ping === 200) break;
      if (attempt >= 100) throw new Error("podman system service did not answer /_ping in 10 s");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { stdout } = await run(testcontainersPython, [testcontainersScript, image, models], {
      timeout: 300_000,
      env: {
        ...process.env,
        DOCKER_HOST: `unix://${socket}`,
        // Ryuk, testcontainers' reaper, is an image from a registry, which cannot be pulled here;
        // the context manager removes the container itself.
        TESTCONTAINERS_RYUK_DISABLED: "true",
        // testcontainers takes this sandbox for a container and would look for a gateway; the
        // published port is on this host.
        TESTCONTAINERS_CONNECTION_MODE: "docker_host",
        TC_HOST: "127.0.0.1",
      },
    });
    const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as {
      url: string;
      metadata: { name: string };
      add_ready: boolean;
    };
    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(result.metadata.name).toBe("tensorwire");
    expect(result.add_ready).toBe(true);
  }, 900_000);

  it("should answer the in-flight request and exit 0 on SIGTERM", async () => {
    // Warm the keep-alive connection first, so that the slow request travels on a connection the
    // server has already accepted; SIGTERM goes once the request is written.
    expect((await get("/v2/health/ready")).status).toBe(200);
    let written: () => void = () => {};
    const isWritten = new Promise<void>((resolve) => {
      written = resolve;
    });
    let answered = false;
    const slow = send(
      agent,
      `${url}/v2/models/slow/infer`,
      "POST",
      JSON.stringify({ inputs: [{ name: "INPUT0", datatype: "FP32", shape: [3], data: [1, 2, 3] }] }),
      () => written(),
    ).finally(() => {
      answered = true;
    });
    await isWritten;
    const signalled = Date.now();
    await podmanRun(["kill", "--signal", "TERM", name]);
    // The server logs the signal as its drain begins; the request must still be unanswered then.
    for (let attempt = 0; ; attempt++) {
      const { stdout, stderr } = await podmanRun(["logs", name]);
      if ((stdout + stderr).includes("SIGTERM, draining")) break;
      if (attempt >= 100) throw new Error(`no drain in the log 10 s after SIGTERM:\n${stdout}${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answered).toBe(false);
    const { status, body } = await slow;
    expect(status).toBe(200);
    expect(JSON.parse(body).outputs[0].data).toEqual([1, 2, 3]);
    const { stdout: exitCode } = await podmanRun(["wait", name], 60_000);
    expect(exitCode.trim()).toBe("0");
    console.log(`container smoke test: exited 0 ${Date.now() - signalled} ms after SIGTERM`);
  });
});
