import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** Helpers of the example tests: `tensorwire serve` as a user runs it, and the Python peers. */

const bin = fileURLToPath(new URL("../../../apps/server/bin/tensorwire.js", import.meta.url));
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const run = promisify(execFile);

export interface ServedCli {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `127.0.0.1:<port>`, the form tritonclient and grpcurl take. */
  readonly address: string;
  readonly port: number;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `tensorwire serve --port 0 --host 127.0.0.1` (the built dist, a child process) with more
 * flags, and resolves with its address once it prints it.
 */
export async function serveCli(flags: readonly string[] = []): Promise<ServedCli> {
  const child: ChildProcess = spawn(
    process.execPath,
    [bin, "serve", "--port", "0", "--host", "127.0.0.1", "--log-level", "silent", ...flags],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1] as string);
    });
    child.once("exit", (code) => reject(new Error(`tensorwire serve exited with ${code}: ${out}`)));
  });
  const { port } = new URL(url);
  return {
    url,
    address: `127.0.0.1:${port}`,
    port: Number(port),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

/** True when `python3` runs: the Python peers need it. */
export async function hasPython(): Promise<boolean> {
  try {
    await run("python3", ["--version"]);
    return true;
  } catch {
    return false;
  }
}

export const grpcurl = join(repoRoot, ".cache/grpcurl/bin/grpcurl");

/** Builds grpcurl (apps/server's peer setup, Go module proxy) unless built; false without Go. */
export async function grpcurlBuilt(): Promise<boolean> {
  try {
    await run("bash", [join(repoRoot, "apps/server/test/peer/setup-grpcurl.sh")], { timeout: 600_000 });
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 3) {
      console.log("skipping grpcurl requests: no Go toolchain to build grpcurl");
      return false;
    }
    throw err;
  }
}

/**
 * Builds (once) or reuses `.venv/<name>` from the pinned scripts/python-venvs/<name>.txt, with the
 * repository's one installer, and returns its Python.
 */
export async function pythonEnv(name: "examples" | "kserve" | "tritonclient"): Promise<string> {
  await run("bash", [join(repoRoot, "scripts/python-venv.sh"), name], { timeout: 900_000 });
  return join(repoRoot, ".venv", name, "bin/python");
}

/** Runs a Python program given as text; rejects with its output when it exits non-zero. */
export async function runPython(python: string, program: string, cwd?: string): Promise<string> {
  try {
    const { stdout } = await run(python, ["-c", program], { timeout: 120_000, ...(cwd ? { cwd } : {}) });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`python failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}
