import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as http from "node:http";
import { fileURLToPath } from "node:url";
import { serverNodeFlags } from "@tensorwire/server/node-flags";
import { afterAll, beforeAll, expect } from "vitest";

// The abuse suite runs the server the way users do, as `tensorwire serve` in its own process, so
// that a probe can measure that process (open file descriptors, resident memory), signal it and
// watch it survive, without the test runner's own sockets and heap in the figures.
const bin = fileURLToPath(new URL("../../apps/server/bin/tensorwire.js", import.meta.url));
// The Node 24 the repository installs; the machine's own may be older.
const node24 = fileURLToPath(new URL("../../node_modules/.bin/node", import.meta.url));

/** True when the server is built and Node 24 is installed, which the suite needs to run. */
export const canServe =
  existsSync(node24) &&
  existsSync(fileURLToPath(new URL("../../apps/server/dist/server/cli.js", import.meta.url)));

/** A `tensorwire serve` child process on 127.0.0.1 and an ephemeral port. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Everything the process has written to stdout and stderr so far. */
  output(): string;
  /** Open file descriptors of the server process (Linux `/proc/<pid>/fd`). */
  fdCount(): number;
  /** Resident set size of the server process in MiB (Linux `/proc/<pid>/status`). */
  rssMiB(): number;
  /**
   * The main thread's live JS heap in MiB right after a full garbage collection, asked for through
   * the process's inspector (the server runs with `--inspect` on a loopback port of its own).
   */
  heapMiB(): Promise<number>;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<number | string>;
}

/** Starts `tensorwire serve --port 0 --host 127.0.0.1 ...args` and resolves once it listens. */
export async function serve(
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<ServeProcess> {
  const child = spawn(
    node24,
    // With the server's V8 flags given here the command does not re-execute itself, so there is
    // one process and one inspector, on a loopback port of its own.
    [
      ...serverNodeFlags,
      "--inspect=127.0.0.1:0",
      bin,
      "serve",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      ...args,
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    },
  );
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const onData = () => {
      const m = /listening on http:\/\/[\d.]+:(\d+)/.exec(out);
      if (m) {
        child.stdout?.off("data", onData);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on("data", onData);
    void exited.then((code) => reject(new Error(`tensorwire serve exited with ${code}: ${out}`)));
  });
  const pid = child.pid as number;
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    fdCount: () => readdirSync(`/proc/${pid}/fd`).length,
    rssMiB: () => {
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
      return Number(kb) / 1024;
    },
    heapMiB: async () => {
      // Read when asked: the inspector announces itself on stderr, which may arrive after stdout.
      const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(out)?.[1];
      if (inspector === undefined) {
        throw new Error(`tensorwire serve did not start its inspector: ${out}`);
      }
      return (await collectGarbage(inspector)) / MiB;
    },
    exited,
    stop: async (graceMs = 10_000) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
  };
}

const MiB = 1024 * 1024;

/**
 * Runs a full garbage collection in the process whose inspector listens at `url` and returns its
 * used heap in bytes afterwards. Resident memory alone cannot tell a leak from garbage: the server
 * runs with a 128 MiB initial heap, so V8 lets that much accumulate before a full collection.
 */
async function collectGarbage(url: string): Promise<number> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", () => reject(new Error(`cannot reach the inspector at ${url}`)), {
      once: true,
    });
  });
  const replies = new Map<
    number,
    { resolve: (result: Record<string, unknown>) => void; reject: (err: Error) => void }
  >();
  socket.addEventListener("message", (event) => {
    const reply = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown> };
    if (reply.id !== undefined) {
      replies.get(reply.id)?.resolve(reply.result ?? {});
    }
  });
  // A server that dies mid-call fails the probe with this message rather than a test timeout.
  socket.addEventListener("close", () => {
    for (const { reject } of replies.values()) {
      reject(new Error(`the inspector at ${url} closed before it answered`));
    }
  });
  let nextId = 1;
  const call = (method: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      replies.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method }));
    });
  try {
    await call("HeapProfiler.collectGarbage");
    const usage = await call("Runtime.getHeapUsage");
    return usage.usedSize as number;
  } finally {
    socket.close();
  }
}

/** A health probe that keeps asking `GET /v2/health/live` while a probe runs. */
export interface HealthWatch {
  /** Stops asking; resolves with how many probes answered 200, how many did not, and the slowest. */
  stop(): Promise<{ ok: number; failed: number; maxMs: number }>;
}

/**
 * Asks `GET <path>` on a fresh HTTP/1.1 connection every `everyMs` until stopped; an answer that
 * takes over `timeoutMs` counts as failed, so a blocked event loop shows up as failures.
 */
export function watchHealth(
  port: number,
  everyMs = 100,
  timeoutMs = 2_000,
  path = "/v2/health/live",
): HealthWatch {
  let ok = 0;
  let failed = 0;
  let maxMs = 0;
  let stopped = false;
  const once = () =>
    new Promise<void>((resolve) => {
      const start = performance.now();
      const req = http.get({ host: "127.0.0.1", port, path, agent: false, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on("end", () => {
          maxMs = Math.max(maxMs, performance.now() - start);
          if (res.statusCode === 200) ok++;
          else failed++;
          resolve();
        });
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", () => {
        maxMs = Math.max(maxMs, performance.now() - start);
        failed++;
        resolve();
      });
    });
  const loop = (async () => {
    while (!stopped) {
      await once();
      if (!stopped) await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return { ok, failed, maxMs };
    },
  };
}

/**
 * Polls `read` until `accept` holds or `timeoutMs` passes, and returns the last value: the way to
 * wait for the server to release sockets or memory, which it does on no event a test can observe.
 */
export async function settle<T>(
  read: () => T | Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

/** The process's open file descriptors, live JS heap and resident memory at some moment. */
export interface Footprint {
  readonly fds: number;
  readonly heapMiB: number;
  readonly rssMiB: number;
}

/** How far above its baseline a probe may leave the live JS heap, after a full collection. */
const heapMarginMiB = 16;
/**
 * How far above its baseline a probe may leave resident memory, read after a full collection:
 * without one, the server's 128 MiB initial heap lets V8 keep that much garbage, and 20,000
 * rapidly reset streams left +79 MiB. What glibc's allocator has freed is not all handed back to
 * the system either, so the heap margin is the one that shows a leak.
 */
const rssMarginMiB = 64;

/** Reads `server`'s footprint now, after a full garbage collection. */
async function footprint(server: ServeProcess): Promise<Footprint> {
  const heapMiB = await server.heapMiB();
  return { fds: server.fdCount(), heapMiB, rssMiB: server.rssMiB() };
}

/**
 * Runs one abuse probe and asserts what every probe must leave behind: no failed health check
 * while it ran, the process alive, and, once settled, open fds within 10 of `baseline` (by
 * default the footprint just before the probe), the live heap within 16 MiB and resident memory
 * within 64 MiB. Logs the figures docs/reliability.md quotes and returns what `run` returned.
 */
export async function probe<T>(server: ServeProcess, run: () => Promise<T>, given?: Footprint): Promise<T> {
  const baseline = given ?? (await footprint(server));
  const health = watchHealth(server.port);
  let peak = server.rssMiB();
  const sampler = setInterval(() => {
    peak = Math.max(peak, server.rssMiB());
  }, 50);
  let result: T;
  try {
    result = await run();
  } finally {
    clearInterval(sampler);
  }
  const watched = await health.stop();
  expect(watched.failed).toBe(0);
  expect(watched.ok).toBeGreaterThan(0);
  expect(server.child.exitCode).toBeNull();
  expect(server.child.signalCode).toBeNull();
  const fds = await settle(server.fdCount, (n) => n <= baseline.fds + 10);
  expect(fds).toBeLessThanOrEqual(baseline.fds + 10);
  // Waited for like the fds: what a closed connection held is released once its close has run.
  const heap = await settle(server.heapMiB, (mib) => mib <= baseline.heapMiB + heapMarginMiB);
  expect(heap).toBeLessThanOrEqual(baseline.heapMiB + heapMarginMiB);
  const rss = await settle(
    async () => {
      await server.heapMiB();
      return server.rssMiB();
    },
    (mib) => mib <= baseline.rssMiB + rssMarginMiB,
    20_000,
  );
  expect(rss).toBeLessThanOrEqual(baseline.rssMiB + rssMarginMiB);
  console.log(
    `${expect.getState().currentTestName}: fds ${baseline.fds} -> ${fds}, heap ${baseline.heapMiB.toFixed(1)} -> ${heap.toFixed(1)} MiB, RSS ${baseline.rssMiB.toFixed(0)} -> ${peak.toFixed(0)} -> ${rss.toFixed(0)} MiB, health ${watched.ok} ok, max ${watched.maxMs.toFixed(0)} ms`,
  );
  return result;
}

/** One `tensorwire serve` shared by the probes of a `describe` block. */
export interface SuiteServer {
  /** The server; read it inside a test, once `beforeAll` has started it. */
  readonly server: ServeProcess;
  /** `probe` against the footprint taken before the block's first probe. */
  underWatch<T>(run: () => Promise<T>): Promise<T>;
}

/**
 * Starts `tensorwire serve ...args` in `beforeAll` and stops it in `afterAll` (which must exit 0).
 * Every probe is held to the footprint taken once, after one request has built what is built
 * lazily, so that nothing may accumulate from probe to probe.
 */
export function serveForSuite(args: readonly string[]): SuiteServer {
  let server: ServeProcess | undefined;
  let baseline: Footprint | undefined;
  beforeAll(async () => {
    server = await serve(args);
    await fetch(`${server.url}/v2/health/live`);
    baseline = await footprint(server);
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });
  const started = (): ServeProcess => {
    if (server === undefined) {
      throw new Error("serveForSuite: the server is read before beforeAll started it");
    }
    return server;
  };
  return {
    get server() {
      return started();
    },
    underWatch: (run) => probe(started(), run, baseline),
  };
}
