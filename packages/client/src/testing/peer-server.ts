import { execFileSync, spawn } from "node:child_process";

/** Whether python3 is there to set up a peer server from PyPI (the tests skip, saying so, without it). */
export function hasPython3(): boolean {
  try {
    execFileSync("python3", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface PeerServer {
  /** What the script printed on its ready line after the ready text (e.g. a version). */
  readonly readyLine: string;
  /** Stops the script and the server together (SIGTERM, SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/**
 * Runs a peer's setup script (`bash <script> serve <args>`) in its own process group, so `stop`
 * ends the script and the server it started together; resolves once the script prints a line
 * starting with `ready`, rejects with the script's last output if it exits first.
 */
export async function startPeerServer(
  script: string,
  args: readonly string[],
  ready: string,
): Promise<PeerServer> {
  const proc = spawn("bash", [script, "serve", ...args], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const stop = async () => {
    if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    process.kill(-proc.pid, "SIGTERM");
    const timer = setTimeout(() => {
      if (proc.pid !== undefined && proc.exitCode === null) {
        process.kill(-proc.pid, "SIGKILL");
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };
  const readyLine = await new Promise<string>((resolve, reject) => {
    let out = "";
    proc.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith(ready));
      if (line !== undefined) {
        resolve(line.slice(ready.length).trim());
      }
    });
    proc.once("exit", (code) =>
      reject(new Error(`${script} exited with ${code} before the server was ready:\n${stderr}`)),
    );
  });
  return { readyLine, stop };
}
