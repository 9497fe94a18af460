import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { tfsimpleModel } from "@tensorwire/models";
import { afterAll, describe, expect, it } from "vitest";
import { flagVariables, helpText, parseServeArgs, parseServeCommand } from "./cli.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "tensorwire-cli-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("TENSORWIRE_* variables", () => {
  it("should give every flag but --help a variable, derived from its name", () => {
    const variables = new Map(flagVariables());
    expect(variables.get("model-repository")).toBe("TENSORWIRE_MODEL_REPOSITORY");
    expect(variables.get("port")).toBe("TENSORWIRE_PORT");
    expect(variables.get("grpc-port")).toBe("TENSORWIRE_GRPC_PORT");
    expect(variables.get("model-name")).toBe("TENSORWIRE_MODEL_NAME");
    expect(variables.has("help")).toBe(false);
    for (const [flag, variable] of variables) {
      expect(helpText()).toContain(`--${flag}`);
      expect(variable).toMatch(/^TENSORWIRE_[A-Z0-9_]+$/);
    }
    expect(variables.size).toBe(new Set(variables.values()).size);
    expect([...variables.values()]).not.toContain("TENSORWIRE_REEXEC");
  });

  it("should say so in --help, in one line", () => {
    const lines = helpText()
      .split("\n")
      .filter((line) => line.includes("TENSORWIRE_"));
    expect(lines).toEqual([expect.stringContaining("--foo-bar is also read from TENSORWIRE_FOO_BAR")]);
  });

  it("should read strings, comma-separated repeatable flags and booleans", async () => {
    expect(
      await parseServeArgs([], {
        TENSORWIRE_PORT: "0",
        TENSORWIRE_HOST: "127.0.0.1",
        TENSORWIRE_GRPC_PORT: "9000",
        TENSORWIRE_MODEL_REPOSITORY: "/mnt/models",
        TENSORWIRE_MODEL_NAME: "tfsimple",
        TENSORWIRE_MODEL_CONTROL_MODE: "explicit",
        TENSORWIRE_LOAD_MODEL: "add, slow",
        TENSORWIRE_ALLOW_EXTERNAL_PATHS: "TRUE",
        TENSORWIRE_PROTECT_HEALTH: "0",
        TENSORWIRE_AUTH_TOKEN: "s3cret",
        PATH: "/usr/bin",
      }),
    ).toEqual({
      port: 0,
      host: "127.0.0.1",
      grpcPort: 9000,
      repository: "/mnt/models",
      modelName: "tfsimple",
      controlMode: "explicit",
      loadModels: ["add", "slow"],
      allowExternalPaths: true,
      publicHealth: true,
      authToken: "s3cret",
    });
  });

  it("should rank command-line flags over variables over the config file over defaults", async () => {
    const config = join(dir, "precedence.yaml");
    writeFileSync(config, "port: 9000\nhost: ::1\nload-model: [a, b]\nmodel-control-mode: explicit\n");
    const env = { TENSORWIRE_CONFIG: config, TENSORWIRE_PORT: "9001", TENSORWIRE_LOAD_MODEL: "c" };
    expect(await parseServeArgs([], env)).toEqual({
      port: 9001,
      host: "::1",
      controlMode: "explicit",
      loadModels: ["c"],
    });
    // A repeatable flag on the command line replaces the variable's list rather than adding to it.
    expect(await parseServeArgs(["--port", "9002", "--load-model", "d"], env)).toEqual({
      port: 9002,
      host: "::1",
      controlMode: "explicit",
      loadModels: ["d"],
    });
    expect(await parseServeArgs([])).toEqual({ port: 8080, host: "0.0.0.0" });
  });

  it.each([
    [{ TENSORWIRE_PORT: "http" }, [], "TENSORWIRE_PORT: expected a number, got 'http'"],
    [{ TENSORWIRE_PORT: "70000" }, [], "TENSORWIRE_PORT: expected an integer from 0 to 65535, got 70000"],
    [{ TENSORWIRE_ALLOW_EXTERNAL_PATHS: "yes" }, [], "TENSORWIRE_ALLOW_EXTERNAL_PATHS: expected true, false"],
    [{ TENSORWIRE_AUTH_TOKEN: "" }, [], "TENSORWIRE_AUTH_TOKEN is set but empty"],
    [{ TENSORWIRE_LOAD_MODEL: "a,,b" }, [], "TENSORWIRE_LOAD_MODEL: expected comma-separated values"],
    [{ TENSORWIRE_MODEL_NAME: "a/b" }, [], "TENSORWIRE_MODEL_NAME: invalid model name 'a/b'"],
    [{ TENSORWIRE_TLS_CERT: "c.pem" }, [], "TENSORWIRE_TLS_CERT and --tls-key go together"],
    [{ TENSORWIRE_TLS_KEY: "k.pem" }, [], "--tls-cert and TENSORWIRE_TLS_KEY go together"],
    [{ TENSORWIRE_GRPC_PORT: "8080" }, [], "TENSORWIRE_GRPC_PORT: 8080 is --port already"],
    // The flag is the value in use, so the flag is named.
    [{ TENSORWIRE_PORT: "1" }, ["--port", "http"], "--port: expected a number, got 'http'"],
  ])("should name the variable in errors: %j %j", async (env, argv, message) => {
    await expect(parseServeArgs(argv, env)).rejects.toThrow(message);
  });

  it("should name TENSORWIRE_CONFIG when the file it names is wrong", async () => {
    const config = join(dir, "typo.yaml");
    writeFileSync(config, "prot: 1\n");
    await expect(parseServeArgs([], { TENSORWIRE_CONFIG: config })).rejects.toThrow(
      `TENSORWIRE_CONFIG ${config}: unknown key 'prot'`,
    );
  });

  it("should warn once about unknown variables, and leave TENSORWIRE_REEXEC and Kubernetes' service links alone", async () => {
    const command = await parseServeCommand([], {
      TENSORWIRE_MODEL_REPOSITRY: "/mnt/models",
      TENSORWIRE_HELP: "1",
      TENSORWIRE_REEXEC: "1",
      // What a Service named tensorwire-grpc (ports 9000 and 8080, named grpc) injects into pods.
      TENSORWIRE_GRPC_SERVICE_HOST: "10.0.0.7",
      TENSORWIRE_GRPC_SERVICE_PORT: "9000",
      TENSORWIRE_GRPC_SERVICE_PORT_GRPC: "9000",
      TENSORWIRE_GRPC_PORT_9000_TCP: "tcp://10.0.0.7:9000",
      TENSORWIRE_GRPC_PORT_9000_TCP_PROTO: "tcp",
      TENSORWIRE_GRPC_PORT_9000_TCP_PORT: "9000",
      TENSORWIRE_GRPC_PORT_9000_TCP_ADDR: "10.0.0.7",
      TENSORWIRE_GRPC_PORT: "tcp://10.0.0.7:9000",
      // ... and one named tensorwire-predictor.
      TENSORWIRE_PREDICTOR_PORT: "tcp://10.0.0.8:80",
    });
    expect(command).not.toBe("help");
    if (command === "help") return;
    expect(command.options).toEqual({ port: 8080, host: "0.0.0.0" });
    expect(command.warnings).toEqual([
      "tensorwire: ignoring TENSORWIRE_GRPC_PORT=tcp://10.0.0.7:9000, the link Kubernetes sets for a Service of that name; set TENSORWIRE_GRPC_PORT to a port number, or enableServiceLinks: false in the pod spec",
      "tensorwire: ignoring TENSORWIRE_HELP, TENSORWIRE_MODEL_REPOSITRY: no 'tensorwire serve' flag reads them (see --help)",
    ]);
  });

  it("should tell which flags variables set, and no others", async () => {
    const command = await parseServeCommand(["--port", "0"], { TENSORWIRE_PORT: "1", TENSORWIRE_HOST: "::" });
    expect(command === "help" ? command : [...command.variables]).toEqual([["host", "TENSORWIRE_HOST"]]);
  });
});

const bin = fileURLToPath(new URL("../../bin/tensorwire.js", import.meta.url));
const built = existsSync(fileURLToPath(new URL("../../dist/server/cli.js", import.meta.url)));
// This Node, and the system's where it is older: the bin then re-runs itself with TENSORWIRE_REEXEC=1.
const nodes = [...new Set([process.execPath, ...(existsSync("/usr/bin/node") ? ["/usr/bin/node"] : [])])];

describe.skipIf(!built)("tensorwire serve configured by variables alone", () => {
  it.each(nodes)(
    "should serve KServe's bare model.onnx on two ports, warn about a typo and keep ONNX Runtime quiet (run by %s)",
    async (node) => {
      const root = mkdtempSync(join(dir, "run-"));
      const models = join(root, "models");
      const home = join(root, "home");
      mkdirSync(models);
      mkdirSync(home);
      writeFileSync(join(models, "model.onnx"), tfsimpleModel().onnx);
      // Nothing that would turn ONNX Runtime's telemetry off by itself (its CI detection included).
      const inherited = Object.fromEntries(
        Object.entries(process.env).filter(
          ([key]) => !/^(TENSORWIRE_|ORT_|CI$|GITHUB_ACTIONS$|TF_BUILD$|JENKINS_URL$)/.test(key),
        ),
      );
      const child: ChildProcess = spawn(node, [bin, "serve"], {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...inherited,
          HOME: home,
          XDG_CACHE_HOME: join(home, ".cache"),
          TENSORWIRE_PORT: "0",
          TENSORWIRE_GRPC_PORT: "0",
          TENSORWIRE_HOST: "127.0.0.1",
          TENSORWIRE_MODEL_REPOSITORY: models,
          TENSORWIRE_MODEL_NAME: "tfsimple",
          TENSORWIRE_LOG_LEVEL: "warn",
          TENSORWIRE_DRAIN_TIMOUT_SECS: "1",
        },
      });
      let stderr = "";
      child.stderr?.setEncoding("utf8");
      child.stderr?.on("data", (chunk: string) => {
        stderr += chunk;
      });
      try {
        const [url, second] = await new Promise<[string, string]>((resolve, reject) => {
          let out = "";
          child.stdout?.setEncoding("utf8");
          child.stdout?.on("data", (chunk: string) => {
            out += chunk;
            const first = /listening on (http:\/\/\S+)/.exec(out)?.[1];
            const other = /second port \(--grpc-port\): (\S+),/.exec(out)?.[1];
            if (first !== undefined && other !== undefined) resolve([first, `http://${other}`]);
          });
          child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}${stderr}`)));
        });
        expect(second).not.toBe(url);
        for (const base of [url, second]) {
          const metadata = (await (await fetch(`${base}/v2/models/tfsimple`)).json()) as {
            versions: string[];
            inputs: { name: string }[];
          };
          expect(metadata.versions).toEqual(["1"]);
          expect(metadata.inputs.map((i) => i.name)).toEqual(["INPUT0", "INPUT1"]);
        }
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        child.kill("SIGTERM");
        expect(await exited).toBe(0);
        expect(stderr).toContain(
          "tensorwire: ignoring TENSORWIRE_DRAIN_TIMOUT_SECS: no 'tensorwire serve' flag reads it",
        );
        expect(stderr).not.toMatch(/onnxruntime|telemetry/i);
        // ONNX Runtime keeps its telemetry device id and upload queue under the cache directory.
        expect(readdirSync(home)).toEqual([]);
        expect(readdirSync(root).sort()).toEqual(["home", "models"]);
      } finally {
        child.kill("SIGKILL");
      }
    },
    60_000,
  );
});

describe.skipIf(!built)("tensorwire serve's errors about variables", () => {
  const serve = (env: Record<string, string>) =>
    run(process.execPath, [bin, "serve"], {
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("TENSORWIRE_"))),
        ...env,
      },
    }).then(
      () => ({ code: 0, stderr: "" }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );

  it("should name the variable when what it names is not there (exit 2)", async () => {
    const missing = join(dir, "no-such-folder");
    expect(await serve({ TENSORWIRE_PORT: "0", TENSORWIRE_MODEL_REPOSITORY: missing })).toEqual({
      code: 2,
      stderr: `tensorwire: TENSORWIRE_MODEL_REPOSITORY ${missing}: no such directory; run 'tensorwire serve --help' for the flags\n`,
    });
  });

  it("should say how to name a bare model.onnx when no name is given (exit 1)", async () => {
    const root = mkdtempSync(join(dir, "unnamed-"));
    writeFileSync(join(root, "model.onnx"), tfsimpleModel().onnx);
    const { code, stderr } = await serve({ TENSORWIRE_PORT: "0", TENSORWIRE_MODEL_REPOSITORY: root });
    expect(code).toBe(1);
    expect(stderr).toContain(
      "holds model.onnx at its root, a model that needs a name: give it with --model-name",
    );
  });
});
