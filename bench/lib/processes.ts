import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  /** Milliseconds from spawn to the READY line. */
  readonly startMs: number;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
// Whatever happens to the run, no server outlives it.
process.on("exit", () => {
  for (const child of children) {
    child.kill("SIGKILL");
  }
});

/** Spawns a server that prints `READY <port>` on stdout once it listens. */
export function startProcess(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; ready?: RegExp; port?: number; timeoutMs?: number } = {},
): Promise<Started> {
  const ready = options.ready ?? /READY (\d+)/;
  const t0 = performance.now();
  const child = spawn(command, [...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...options.env },
  });
  children.add(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} did not start:\n${output.slice(-2000)}`));
    }, options.timeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stderr?.off("data", onData);
        // Keep draining the pipes so a chatty child never blocks on a full one.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({
          child,
          port: options.port ?? Number(match[1]),
          startMs: performance.now() - t0,
          stop: () => stopProcess(child),
        });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
}

export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(kill);
      children.delete(child);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Resident set size of a process in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Runs a command to completion and returns its stdout. */
export function runToEnd(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.once("exit", (code) => {
      children.delete(child);
      if (code === 0) {
        resolve(out);
      } else {
        reject(
          new Error(
            `${command} ${args.join(" ")} exited with ${code}: ${err.slice(-1000)}${out.slice(-1000)}`,
          ),
        );
      }
    });
  });
}
