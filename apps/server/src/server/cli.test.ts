import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { serverNodeFlags } from "../core/node-flags.js";
import { procStatFields } from "../testing/proc-stat.js";
import { commandsHelpText, helpText, parseServeArgs } from "./cli.js";

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
        "--module-root",
        "./models/custom",
        "--module-root",
        "/opt/models",
        "--http-max-input-size",
        "1024",
        "--grpc-max-message-size",
        "2048",
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
      moduleRoots: ["./models/custom", "/opt/models"],
      maxInputSize: 1024,
      grpcMaxMessageSize: 2048,
      tls: { cert: "c.pem", key: "k.pem" },
    });
  });

  it("should read --max-config-size as bytes, refusing what is not a positive integer", async () => {
    expect(await parseServeArgs(["--max-config-size", "65536"])).toMatchObject({ maxConfigSize: 65536 });
    expect(helpText()).toContain("--max-config-size");
    await expect(parseServeArgs(["--max-config-size", "0"])).rejects.toThrow(
      /--max-config-size: expected an integer/,
    );
    await expect(parseServeArgs(["--max-config-size", "1.5"])).rejects.toThrow(/--max-config-size/);
  });

  it("should read the auth and dialect flags", async () => {
    expect(
      await parseServeArgs([
        "--auth-token",
        "t",
        "--api-key",
        "k",
        "--protect-health",
        "--metrics-public",
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
      metricsPublic: true,
      seldonV1Model: "fraud",
      v1Dialect: "tfserving",
      serverName: "triton",
      grpcRawOutput: true,
      streamInferFraming: "seldon",
    });
  });

  it("should read the connection limits and timeouts", async () => {
    expect(
      await parseServeArgs([
        "--http2-max-concurrent-streams",
        "250",
        "--max-header-size",
        "32768",
        "--idle-timeout-secs",
        "30",
        "--handshake-timeout-secs",
        "2.5",
        "--headers-timeout-secs",
        "5",
        "--request-timeout-secs",
        "0",
      ]),
    ).toEqual({
      port: 8080,
      host: "0.0.0.0",
      maxConcurrentStreams: 250,
      maxHeaderSize: 32768,
      idleTimeoutMs: 30_000,
      handshakeTimeoutMs: 2500,
      headersTimeoutMs: 5000,
      requestTimeoutMs: 0,
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
    [["--cors-origin", "https://app.example.com/"], /did you mean https:\/\/app\.example\.com\?/],
    [["--cors-origin", "app.example.com"], /expected "\*" or an origin/],
    [["--cors-origin", "*", "--cors-origin", "https://a.example"], /give it alone/],
    [["--http2-max-concurrent-streams", "0"], /expected an integer from 1 to 2147483647/],
    [["--max-header-size", "100"], /--max-header-size: expected an integer from 1024/],
    [["--idle-timeout-secs", "0"], /--idle-timeout-secs: expected a positive number/],
    [["--handshake-timeout-secs=-1"], /--handshake-timeout-secs: expected a positive number/],
    [["--request-timeout-secs=-1"], /--request-timeout-secs: expected a non-negative number/],
    [["--headers-timeout-secs", "20", "--request-timeout-secs", "10"], /at most --request-timeout-secs/],
  ])("should refuse %j", async (argv, message) => {
    await expect(parseServeArgs(argv)).rejects.toThrow(message);
  });

  it("should read repeated --cors-origin flags, and * alone", async () => {
    expect(
      await parseServeArgs(["--cors-origin", "https://a.example", "--cors-origin", "http://localhost:5173"]),
    ).toMatchObject({ corsOrigins: ["https://a.example", "http://localhost:5173"] });
    expect(await parseServeArgs(["--cors-origin", "*"])).toMatchObject({ corsOrigins: ["*"] });
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
      "module-root",
      "http-max-input-size",
      "grpc-max-message-size",
      "metrics-public",
      "http2-max-concurrent-streams",
      "max-header-size",
      "idle-timeout-secs",
      "handshake-timeout-secs",
      "headers-timeout-secs",
      "request-timeout-secs",
      "tls-cert",
      "tls-key",
      "cors-origin",
      "config",
    ]) {
      expect(text).toContain(`--${flag}`);
    }
    expect(text).toContain("Exit status:");
  });

  it("should show in the package README the help tensorwire --help prints", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const shown = /\$ npx tensorwire --help\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(shown).toBeDefined();
    expect(commandsHelpText().startsWith((shown as string).trimEnd())).toBe(true);
  });

  it("should list every command with one line each in tensorwire --help", () => {
    const lines = commandsHelpText().split("\n");
    for (const command of ["serve", "pipeline inspect", "conformance", "help [command]"]) {
      expect(lines.filter((line) => line.startsWith(`  ${command} `))).toHaveLength(1);
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

const run = promisify(execFile);

/** Runs the bin to its end; `code` is its exit status. */
async function tensorwire(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.skipIf(!built)("the tensorwire command's help and errors", () => {
  it.each([["--help"], ["help"], ["-h"]])("should list the commands for %s", async (flag) => {
    const { code, stdout } = await tensorwire(flag);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: tensorwire <command>/);
    expect(stdout).toContain("  pipeline inspect ");
  });

  it.each([
    [["serve", "--help"], /^Usage: tensorwire serve \[flags\]/],
    [["help", "serve"], /^Usage: tensorwire serve \[flags\]/],
    [["pipeline", "--help"], /^Usage: tensorwire pipeline <subcommand>/],
    [["help", "pipeline"], /^Usage: tensorwire pipeline <subcommand>/],
    [["pipeline", "inspect", "--help"], /^Usage: tensorwire pipeline inspect/],
    [["help", "pipeline", "inspect"], /^Usage: tensorwire pipeline inspect/],
    [["conformance", "--help"], /^Usage: tensorwire conformance --url URL/],
    [["help", "conformance"], /^Usage: tensorwire conformance --url URL/],
    [["--version"], /^tensorwire \d+\.\d+\.\d+/],
  ])("should answer %j with its help", async (args, text) => {
    const { code, stdout } = await tensorwire(...args);
    expect(code).toBe(0);
    expect(stdout).toMatch(text);
  });

  it.each([
    [[], 2, /^Usage: tensorwire <command>/],
    [["nope"], 2, /^tensorwire: unknown command 'nope'; run 'tensorwire --help' for the commands\n$/],
    [["pipeline"], 2, /^tensorwire: pipeline: expected a subcommand; run 'tensorwire pipeline --help'\n$/],
    [["pipeline", "nope"], 2, /^tensorwire: pipeline: unknown subcommand 'nope'/],
    [
      ["serve", "--nope"],
      2,
      /^tensorwire: Unknown option '--nope'; run 'tensorwire serve --help' for the flags\n$/,
    ],
    [["serve", "--cors-origin", "https://a.example/"], 2, /^tensorwire: --cors-origin: .*\n$/],
    [
      ["serve", "--model-repository", join(dir, "absent")],
      2,
      /^tensorwire: --model-repository .*: no such directory/,
    ],
    [
      [
        "serve",
        "--port",
        "0",
        "--log-level",
        "silent",
        "--model-control-mode",
        "explicit",
        "--load-model",
        "nosuch",
      ],
      2,
      /^tensorwire: --load-model nosuch: the model repository has no such model \(it has [\w, …]+\)/,
    ],
    [
      ["pipeline", "inspect", "tfsimples", "--url", "http://127.0.0.1:1"],
      4,
      /^tensorwire pipeline inspect: cannot reach/,
    ],
  ])("should fail %j with one line and exit status %i", async (args, status, message) => {
    const { code, stderr } = await tensorwire(...args);
    expect(code).toBe(status);
    expect(stderr).toMatch(message);
    if (args.length > 0) {
      expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    }
    expect(stderr).not.toMatch(/\n\s+at /);
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
