import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { canServe, serveForSuite } from "./serve.js";

// Small timeouts so every probe is quick: headers in 1 s, a whole request in 3 s, 2 s idle.
const args = [
  "--zoo",
  "seldon",
  "--headers-timeout-secs",
  "1",
  "--request-timeout-secs",
  "3",
  "--idle-timeout-secs",
  "2",
  "--max-header-size",
  "8192",
  "--log-level",
  "warn",
];

/** A raw connection that keeps what the server sent and when it closed. */
interface RawH1 {
  readonly socket: net.Socket;
  received(): string;
  readonly closed: Promise<void>;
}

async function connect(port: number): Promise<RawH1> {
  const socket = net.connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let received = "";
  socket.on("data", (c: Buffer) => {
    received += c.toString("latin1");
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return { socket, received: () => received, closed };
}

/** Writes `piece()` every `everyMs` until the server closes the connection or `maxWrites` are sent. */
async function trickle(raw: RawH1, piece: (i: number) => string, everyMs: number, maxWrites: number) {
  let closed = false;
  void raw.closed.then(() => {
    closed = true;
  });
  for (let i = 0; i < maxWrites && !closed; i++) {
    raw.socket.write(piece(i));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return closed;
}

const tfsimpleBody = JSON.stringify({
  inputs: [
    { name: "INPUT0", shape: [1, 16], datatype: "INT32", data: Array.from({ length: 16 }, (_, i) => i) },
    { name: "INPUT1", shape: [1, 16], datatype: "INT32", data: Array(16).fill(1) },
  ],
});

describe.skipIf(!canServe)("HTTP/1.1 abuse", () => {
  const suite = serveForSuite(args);

  it("should answer 408 and close connections that trickle their headers (slowloris)", async () => {
    const raws = await suite.underWatch(async () => {
      const raws = await Promise.all(Array.from({ length: 50 }, () => connect(suite.server.port)));
      // One header line every 250 ms, for at most 10 s: the server must cut them well before.
      const cut = await Promise.all(
        raws.map((raw) =>
          trickle(
            raw,
            (i) => (i === 0 ? "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n" : `X-${i}: ${i}\r\n`),
            250,
            40,
          ),
        ),
      );
      expect(cut.every((c) => c)).toBe(true);
      return raws;
    });
    expect(raws.every((raw) => raw.received().startsWith("HTTP/1.1 408"))).toBe(true);
  });

  it("should answer 408 to a request whose body trickles past --request-timeout-secs", async () => {
    const raw = await suite.underWatch(async () => {
      const raw = await connect(suite.server.port);
      const head = `POST /v2/models/tfsimple/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${tfsimpleBody.length}\r\n\r\n`;
      // Ten bytes every 250 ms: the whole body would take about 10 s.
      const cut = await trickle(
        raw,
        (i) => (i === 0 ? head : tfsimpleBody.slice((i - 1) * 10, i * 10)),
        250,
        1 + Math.ceil(tfsimpleBody.length / 10),
      );
      expect(cut).toBe(true);
      return raw;
    });
    expect(raw.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it("should accept a large upload that takes longer than the headers timeout", async () => {
    // 8 MiB of JSON (the request padded with spaces) in 16 writes over about 2 s.
    const padded = Buffer.from(tfsimpleBody.padEnd(8 * 1024 * 1024, " "));
    const status = await suite.underWatch(async () => {
      const raw = await connect(suite.server.port);
      raw.socket.write(
        `POST /v2/models/tfsimple/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${padded.length}\r\nConnection: close\r\n\r\n`,
      );
      const piece = padded.length / 16;
      for (let i = 0; i < 16; i++) {
        raw.socket.write(padded.subarray(i * piece, (i + 1) * piece));
        await new Promise((r) => setTimeout(r, 125));
      }
      await raw.closed;
      return raw.received().slice(0, 12);
    });
    expect(status).toBe("HTTP/1.1 200");
  });

  it("should answer 431 to headers over --max-header-size", async () => {
    const answer = await suite.underWatch(async () => {
      const raw = await connect(suite.server.port);
      raw.socket.write(`GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(16 * 1024)}\r\n\r\n`);
      await raw.closed;
      return raw.received();
    });
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
  });

  it("should close a keep-alive connection idle past --idle-timeout-secs", async () => {
    const raw = await suite.underWatch(async () => {
      const raw = await connect(suite.server.port);
      raw.socket.write("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n");
      const started = Date.now();
      await raw.closed;
      // The answer came, then the connection stayed open until the idle timeout (2 s).
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      return raw;
    });
    expect(raw.received()).toMatch(/^HTTP\/1\.1 200/);
  });
});
