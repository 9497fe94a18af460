import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canServe, type ServeProcess, serve } from "./serve.js";

let repo: string;
beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "tensorwire-drain-"));
  const echo =
    "runtime: echo\ninputs: [{name: INPUT0, datatype: FP32, shape: [-1, -1]}]\nrename: {INPUT0: OUTPUT0}\n";
  for (const [name, ms] of [
    ["slow", 200],
    ["stuck", 30_000],
  ] as const) {
    mkdirSync(join(repo, name), { recursive: true });
    writeFileSync(join(repo, name, "config.yaml"), `${echo}latency: {ms: ${ms}}\n`);
  }
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

const body = JSON.stringify({ inputs: [{ name: "INPUT0", shape: [1, 2], datatype: "FP32", data: [1, 2] }] });

/**
 * How a request ended: a status with its whole body, "refused"/"closed" when no answer began, or
 * "partial" when an answer began and was cut, which a drain must never do.
 */
type Outcome = number | "refused" | "closed" | "partial";

interface Sent {
  readonly at: number;
  outcome?: Outcome;
}

function inferH1(port: number, agent: http.Agent, model: string, log: Sent[]): Promise<Outcome> {
  const sent: Sent = { at: performance.now() };
  log.push(sent);
  return new Promise<Outcome>((resolve) => {
    const done = (o: Outcome) => {
      sent.outcome ??= o;
      resolve(sent.outcome);
    };
    const req = http.request(
      { host: "127.0.0.1", port, path: `/v2/models/${model}/infer`, method: "POST", agent },
      (res) => {
        let length = 0;
        res.on("data", (c: Buffer) => {
          length += c.length;
        });
        res.on("end", () => {
          const expected = Number(res.headers["content-length"]);
          done(Number.isNaN(expected) || expected === length ? (res.statusCode as number) : "partial");
        });
        res.on("error", () => done("partial"));
        res.on("aborted", () => done("partial"));
      },
    );
    req.on("error", (err: NodeJS.ErrnoException) => done(err.code === "ECONNREFUSED" ? "refused" : "closed"));
    req.end(body);
  });
}

function inferH2(session: http2.ClientHttp2Session, model: string, log: Sent[]): Promise<Outcome> {
  const sent: Sent = { at: performance.now() };
  log.push(sent);
  return new Promise<Outcome>((resolve) => {
    const done = (o: Outcome) => {
      sent.outcome ??= o;
      resolve(sent.outcome);
    };
    let status: number | undefined;
    let req: http2.ClientHttp2Stream;
    try {
      req = session.request({
        ":method": "POST",
        ":path": `/v2/models/${model}/infer`,
        "content-type": "application/json",
      });
    } catch {
      done("closed");
      return;
    }
    req.on("response", (h) => {
      status = h[":status"] as number;
    });
    req.resume();
    req.on("end", () => done(status ?? "closed"));
    req.on("error", () => done(status === undefined ? "closed" : "partial"));
    req.on("close", () => done(status === undefined ? "closed" : "partial"));
    req.end(body);
  });
}

/** Resolves with performance.now() once the server's stderr has said it drains. */
function drainStarted(server: ServeProcess): Promise<number> {
  return new Promise((resolve) => {
    const onData = () => {
      if (server.output().includes("draining in-flight requests")) {
        server.child.stderr?.off("data", onData);
        resolve(performance.now());
      }
    };
    server.child.stderr?.on("data", onData);
  });
}

describe.skipIf(!canServe)("drain on SIGTERM", () => {
  it("should answer every accepted request, refuse new ones cleanly and exit 0 in time", async () => {
    const server = await serve(["--model-repository", repo, "--drain-timeout-secs", "3"]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const session = http2.connect(server.url);
    session.on("error", () => {});
    const h1: Sent[] = [];
    const h2: Sent[] = [];
    let stop = false;
    // Keep-alive clients that keep sending until the server is gone: 8 over HTTP/1.1, 4 over h2c.
    const loops = [
      ...Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 500 && !stop; i++) {
          const o = await inferH1(server.port, agent, "slow", h1);
          if (o === "refused") break;
        }
      }),
      ...Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 500 && !stop && !session.closed && !session.destroyed; i++) {
          await inferH2(session, "slow", h2);
        }
      }),
    ];
    // Wait until every client has had answers, so connections are open and busy.
    while (
      h1.filter((s) => s.outcome === 200).length < 16 ||
      h2.filter((s) => s.outcome === 200).length < 8
    ) {
      await Promise.race([...loops, new Promise((r) => setTimeout(r, 50))]);
    }
    const draining = drainStarted(server);
    const signalled = performance.now();
    server.child.kill("SIGTERM");
    const drainAt = await draining;
    const code = await server.exited;
    const exitMs = performance.now() - signalled;
    stop = true;
    await Promise.all(loops);
    agent.destroy();
    session.destroy();

    const all = [...h1, ...h2];
    // Never half an answer.
    expect(all.filter((s) => s.outcome === "partial")).toEqual([]);
    // In flight at the signal (sent over 100 ms before it, the model takes 200 ms): answered.
    const accepted = all.filter((s) => s.at < signalled - 100);
    expect(accepted.every((s) => s.outcome === 200)).toBe(true);
    // Sent once the server said it drains: refused, never served.
    const late = all.filter((s) => s.at > drainAt);
    expect(late.length).toBeGreaterThan(0);
    expect(late.filter((s) => s.outcome === 200)).toEqual([]);
    expect(late.every((s) => s.outcome === 503 || s.outcome === "refused" || s.outcome === "closed")).toBe(
      true,
    );
    console.info(
      `drain under load: ${accepted.length} accepted, all answered; ${late.length} sent after the drain began: ${late.filter((s) => s.outcome === 503).length} 503, ${late.filter((s) => s.outcome !== 503).length} refused or closed; exit ${code} after ${exitMs.toFixed(0)} ms`,
    );
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(3000);
  });

  it("should cut requests still running at the drain deadline, log them cancelled and exit 0", async () => {
    const server = await serve(["--model-repository", repo, "--drain-timeout-secs", "1"]);
    const log: Sent[] = [];
    const agent = new http.Agent({ keepAlive: true });
    const stuck = Array.from({ length: 4 }, () => inferH1(server.port, agent, "stuck", log));
    // The requests are in flight once the server has read them; a fast request on a fresh
    // connection, answered after they were sent, shows the server has read its sockets since.
    await inferH1(server.port, new http.Agent(), "slow", []);
    const signalled = performance.now();
    server.child.kill("SIGTERM");
    const code = await server.exited;
    const exitMs = performance.now() - signalled;
    const outcomes = await Promise.all(stuck);
    agent.destroy();
    console.info(`drain deadline: ${outcomes.join(", ")}; exit ${code} after ${exitMs.toFixed(0)} ms`);
    expect(outcomes).toEqual(Array(4).fill("closed"));
    expect(code).toBe(0);
    // 1 s drain; the margin is for the unloading and the process's exit.
    expect(exitMs).toBeLessThan(2000);
    expect(server.output()).toMatch(/"code":"cancelled"/);
    expect(server.output()).not.toMatch(/"code":"internal"/);
  });
});
