import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { serverNodeFlags } from "../core/node-flags.js";
import { procStatFields } from "../testing/proc-stat.js";
import { helpText, parseServeArgs } from "./cli.js";

const dir = mkdtempSync(join(tmpdir(), "tensorwire-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("parseServeArgs()", () => {
  it("should default to port 8080 on every interface", async () => {
    expect(await parseServeArgs([])).toEqual({ port: 8080, host: "0.0.0.0" });
  });

  it("should read every flag", async () => {
    expect(
      await parseServeArgs([
        "--port=0",
        "--host",
        "127.0.0.1",
        "--model-repository",
        "./models",
        "--model-control-mode",
        "explicit",
        "--load-model",
        "iris",
        "--load-model",
        "tfsimple",
        "--repository-poll-secs",
        "0.5",
        "--allow-external-paths",
        "--http-max-input-size",
        "1024",
        "--tls-cert",
        "c.pem",
        "--tls-key",
        "k.pem",
      ]),
    ).toEqual({
      port: 0,
      host: "127.0.0.1",
      repository: "./models",
      controlMode: "explicit",
      loadModels: ["iris", "tfsimple"],
      pollIntervalMs: 500,
      allowExternalPaths: true,
      maxInputSize: 1024,
      tls: { cert: "c.pem", key: "k.pem" },
    });
  });

  it("should read the auth and dialect flags", async () => {
    expect(
      await parseServeArgs([
        "--auth-token",
        "t",
        "--api-key",
        "k",
        "--protect-health",
        "--seldon-v1-model",
        "fraud",
        "--v1-dialect",
        "tfserving",
        "--server-name",
        "triton",
        "--grpc-raw-output",
        "--grpc-stream-framing",
        "seldon",
      ]),
    ).toEqual({
      port: 8080,
      host: "0.0.0.0",
      authToken: "t",
      apiKey: "k",
      publicHealth: false,
      seldonV1Model: "fraud",
      v1Dialect: "tfserving",
      serverName: "triton",
      grpcRawOutput: true,
      streamInferFraming: "seldon",
    });
  });

  it("should read --zoo as groups, or all", async () => {
    expect(await parseServeArgs(["--zoo", "triton,wallaroo"])).toMatchObject({
      zooGroups: ["triton", "wallaroo"],
    });
    expect((await parseServeArgs(["--zoo", "all"])).valueOf()).toMatchObject({
      zooGroups: ["seldon", "triton", "kserve", "wallaroo", "hopsworks", "conformance"],
    });
    await expect(parseServeArgs(["--zoo", "triton,tf"])).rejects.toThrow(
      "--zoo: expected groups among seldon, triton, kserve, wallaroo, hopsworks, conformance or all, got 'tf'",
    );
  });

  it("should merge a YAML config under the command line", async () => {
    const file = join(dir, "serve.yaml");
    writeFileSync(
      file,
      "port: 9000\nmodel-control-mode: poll\nload-model: [iris]\nhttp-max-input-size: 2048\n",
    );
    expect(await parseServeArgs(["--config", file, "--port", "9001"])).toEqual({
      port: 9001,
      host: "0.0.0.0",
      controlMode: "poll",
      loadModels: ["iris"],
      maxInputSize: 2048,
    });
  });

  it("should read a JSON config", async () => {
    const file = join(dir, "serve.json");
    writeFileSync(file, JSON.stringify({ host: "::", "allow-external-paths": true }));
    expect(await parseServeArgs(["--config", file])).toEqual({
      port: 8080,
      host: "::",
      allowExternalPaths: true,
    });
  });

  it.each([
    [["--port", "http"], /--port: expected a number/],
    [["--port", "70000"], /--port: expected an integer from 0 to 65535/],
    [["--model-control-mode", "sometimes"], /expected one of none, explicit, poll/],
    [["--tls-cert", "c.pem"], /go together/],
    [["--repository-poll-secs", "0"], /positive/],
    [["--nope"], /Unknown option/],
    [["--v1-dialect", "kfserving"], /expected one of auto, kserve, tfserving/],
  ])("should refuse %j", async (argv, message) => {
    await expect(parseServeArgs(argv)).rejects.toThrow(message);
  });

  it("should refuse unknown config keys", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "prot: 1\n");
    await expect(parseServeArgs(["--config", file])).rejects.toThrow(/unknown key 'prot'/);
  });

  it("should explain every flag in --help", async () => {
    expect(await parseServeArgs(["--help"])).toBe("help");
    const text = helpText();
    for (const flag of [
      "port",
      "host",
      "model-repository",
      "model-control-mode",
      "load-model",
      "repository-poll-secs",
      "allow-external-paths",
      "http-max-input-size",
      "tls-cert",
      "tls-key",
      "config",
    ]) {
      expect(text).toContain(`--${flag}`);
    }
  });
});

const bin = fileURLToPath(new URL("../../bin/tensorwire.js", import.meta.url));
const built = existsSync(fileURLToPath(new URL("../../dist/server/cli.js", import.meta.url)));
if (!built) {
  console.log("skipping the bin/tensorwire.js test: apps/server/dist is not built (npm run build)");
}

// This Node, and the system's (Node 20 on some machines: the bin must re-run itself with the repo's
// Node >= 22, as `npx tensorwire` does there).
const nodes = [...new Set([process.execPath, ...(existsSync("/usr/bin/node") ? ["/usr/bin/node"] : [])])];

describe.skipIf(!built)("bin/tensorwire.js", () => {
  it.each(nodes)("should serve on the port it prints and stop on SIGTERM (run by %s)", async (node) => {
    const child: ChildProcess = spawn(node, [bin, "serve", "--port", "0", "--host", "127.0.0.1"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout?.setEncoding("utf8");
        child.stdout?.on("data", (c: string) => {
          out += c;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m?.[1] !== undefined) {
            resolve(m[1]);
          }
        });
        child.once("exit", (code) => reject(new Error(`exited ${code} before listening: ${out}`)));
      });
      const res = await fetch(`${url}/v2/health/ready`);
      expect(res.status).toBe(200);
      if (existsSync("/proc/self/cmdline")) {
        // The process that serves (this child, or the one it re-ran itself as) has the V8 flags.
        const serving = [child.pid as number, ...childrenOf(child.pid as number)].map((pid) =>
          readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0"),
        );
        expect(serving.some((argv) => serverNodeFlags.every((flag) => argv.includes(flag)))).toBe(true);
      }
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

/** The pids whose parent (field 4 of their stat) is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return Number(procStatFields(`/proc/${name}/stat`)[4 - 3]) === pid;
      } catch {
        // The process ended while the list was read.
        return false;
      }
    })
    .map(Number);
}
