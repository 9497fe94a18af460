import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runToEnd } from "./processes.ts";

export interface LoadResult {
  readonly rps: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly meanMs: number;
  /** From h2load's per-request log (measurement period only). */
  readonly p99Ms: number;
}

export interface H2loadCase {
  readonly url: string;
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** HTTP/1.1 instead of HTTP/2 (REST). */
  readonly h1: boolean;
  readonly connections: number;
  /** Concurrent streams per connection (HTTP/2 only). */
  readonly streams: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
}

/**
 * Load from h2load (nghttp2's C load generator, in its own process): it costs the loaded machine
 * far less CPU than a Node client would, which matters on two cores.
 */
export async function h2load(c: H2loadCase, tmp: string): Promise<LoadResult> {
  const stem = join(tmp, `h2load-${Math.random().toString(36).slice(2)}`);
  const bodyFile = `${stem}.body`;
  const logFile = `${stem}.log`;
  writeFileSync(bodyFile, c.body);
  const args = [
    ...(c.h1 ? ["--h1"] : ["-m", String(c.streams)]),
    "-c",
    String(c.connections),
    "-t",
    "1",
    "-D",
    String(c.seconds),
    `--warm-up-time=${c.warmupSeconds}`,
    "-d",
    bodyFile,
    `--log-file=${logFile}`,
    ...Object.entries(c.headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
    c.url,
  ];
  const out = await runToEnd("h2load", args);
  const rps = Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out)?.[1] ?? Number.NaN);
  const req = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed/.exec(out);
  const mean = /time for request:\s+\S+\s+\S+\s+(\S+)/.exec(out)?.[1] ?? "NaN";
  return {
    rps,
    succeeded: Number(req?.[4] ?? 0),
    failed: Number(req?.[5] ?? 0),
    meanMs: toMs(mean),
    p99Ms: percentile(logFile, 0.99),
  };
}

/** A percentile of the request durations in h2load's log (start µs, status, duration µs). */
function percentile(logFile: string, q: number): number {
  const durations = readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => Number(line.split("\t")[2]) / 1000)
    .sort((a, b) => a - b);
  return durations[Math.min(durations.length - 1, Math.floor(q * durations.length))] ?? Number.NaN;
}

function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(value);
  if (m === null) {
    return Number.NaN;
  }
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "s" ? n * 1000 : n;
}
