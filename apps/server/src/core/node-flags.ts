/**
 * The V8 flags the `tensorwire` command runs the server with, for servers started some other way.
 *
 * @module
 */

/**
 * V8 flags the `tensorwire` command runs the server with; the benchmarks start their server with
 * the same list.
 *
 * Each request with large tensors allocates megabytes outside the JS heap (socket reads, the joined
 * body, ONNX Runtime's outputs). By default V8 starts a full mark-compact every 64 MiB of such
 * memory, about every 20 requests of 1 MiB, and each one marks the whole heap. Counted in the
 * global limit, with a 128 MiB initial heap, those short-lived buffers are freed by scavenges
 * instead. Measured with 1 MiB FP32 through identity_fp32, 3,000 requests each way: about 140
 * mark-compacts became none, and throughput rose 1.5–2×.
 *
 * Node's default young generation (two 16 MiB semi-spaces) is all resident once start-up has
 * allocated through it; 8 MiB semi-spaces keep 16 MiB less resident at idle, with small-call
 * throughput unchanged (4 MiB ones cost ~14% more CPU per call).
 *
 * @example
 * ```ts
 * import { spawn } from "node:child_process";
 * import { serverNodeFlags } from "@tensorwire/server/node-flags";
 *
 * // A server of your own (server.js calls startServer) with the flags `tensorwire serve` uses.
 * spawn(process.execPath, [...serverNodeFlags, "server.js"], { stdio: "inherit" });
 * ```
 */
export const serverNodeFlags: readonly string[] = [
  // Node 24's V8 has the flag; Node 22's refuses it ("bad option", exit status 9), so there the
  // buffers are collected as V8 does by default.
  ...(Number(process.versions.node.split(".")[0]) >= 24
    ? ["--external-memory-accounted-in-global-limit"]
    : []),
  "--initial-heap-size=128",
  "--max-semi-space-size=8",
];

/**
 * The parent's Node flags without `--conditions` (a test runner's "source" condition would make the
 * worker import the workspace packages' TypeScript sources, which plain Node cannot resolve) and
 * without the server's V8 flags.
 */
export function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--conditions" || arg === "-C") {
      i++;
    } else if (!arg.startsWith("--conditions=") && !serverNodeFlags.includes(arg)) {
      // V8's heap flags are process-wide: a worker refuses them (ERR_WORKER_INVALID_EXEC_ARGV).
      out.push(arg);
    }
  }
  return out;
}
