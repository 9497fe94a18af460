import * as http2 from "node:http2";
import { describe, expect, it } from "vitest";
import {
  closedWithin,
  connectRaw,
  emptySettings,
  frame,
  frameType,
  h2Error,
  headers,
  preface,
  type RawH2,
  requestBlock,
  rstStream,
  settingId,
} from "./h2-frames.js";
import { canServe, serveForSuite, settle } from "./serve.js";

// Small limits so every probe is quick: 1 s to complete the preface, 2 s idle, 10 streams.
const args = [
  "--zoo",
  "seldon",
  "--http2-max-concurrent-streams",
  "10",
  "--handshake-timeout-secs",
  "1",
  "--idle-timeout-secs",
  "2",
  "--max-header-size",
  "8192",
  "--log-level",
  "warn",
];

describe.skipIf(!canServe)("HTTP/2 abuse", () => {
  const suite = serveForSuite(args);

  it("should answer rapid resets with GOAWAY ENHANCE_YOUR_CALM and close every connection", async () => {
    const connections = await suite.underWatch(async () => {
      const raws: RawH2[] = [];
      for (let c = 0; c < 20; c++) {
        const raw = await connectRaw(suite.server.port, Buffer.concat([preface, emptySettings]));
        const block = requestBlock("POST", "/v2/models/tfsimple/infer", {
          "content-type": "application/json",
        });
        // HEADERS then RST_STREAM CANCEL, 1000 times, in writes of 100 pairs.
        for (let batch = 0; batch < 10 && !raw.socket.destroyed; batch++) {
          const pairs: Buffer[] = [];
          for (let i = 0; i < 100; i++) {
            const id = 1 + 2 * (batch * 100 + i);
            pairs.push(headers(id, block, false), rstStream(id, h2Error.cancel));
          }
          raw.socket.write(Buffer.concat(pairs));
        }
        raws.push(raw);
      }
      // The server closes them; the client side never does.
      await Promise.all(raws.map((raw) => closedWithin(raw, 5000)));
      return raws;
    });
    for (const raw of connections) {
      expect(raw.socket.destroyed).toBe(true);
      expect(raw.goawayCode()).toBe(h2Error.enhanceYourCalm);
    }
  });

  it("should advertise the stream limit, refuse streams past it and close a connection that ignores it", async () => {
    const raw = await suite.underWatch(async () => {
      const raw = await connectRaw(suite.server.port, Buffer.concat([preface, emptySettings]));
      const block = requestBlock("POST", "/v2/models/tfsimple/infer", { "content-type": "application/json" });
      // 200 requests that never send their body: half-open streams, 10 times the limit.
      const flood: Buffer[] = [];
      for (let i = 0; i < 200; i++) {
        flood.push(headers(1 + 2 * i, block, false));
      }
      raw.socket.write(Buffer.concat(flood));
      await settle(
        () => raw.resets(h2Error.refusedStream) + (raw.socket.destroyed ? 1000 : 0),
        (n) => n >= 1,
        5000,
      );
      const result = { settings: raw.settings(), refused: raw.resets(h2Error.refusedStream) };
      raw.socket.destroy();
      // Once the client has acknowledged the limit, exceeding it breaks the protocol: nghttp2
      // closes the connection rather than refusing the stream.
      const acked = await connectRaw(suite.server.port, Buffer.concat([preface, emptySettings]));
      await settle(
        () => acked.frames.some((f) => f.type === frameType.settings && (f.flags & 0x1) === 1),
        (ack) => ack,
        5000,
      );
      acked.socket.write(Buffer.concat(flood));
      return { ...result, ackedClosed: await closedWithin(acked, 5000), ackedGoaway: acked.goawayCode() };
    });
    expect(raw.settings.get(settingId.maxConcurrentStreams)).toBe(10);
    expect(raw.settings.get(settingId.maxHeaderListSize)).toBe(8192);
    expect(raw.refused).toBeGreaterThan(0);
    expect(raw.ackedClosed).toBe(true);
    expect(raw.ackedGoaway).toBeDefined();
  });

  it("should close connections that send only part of the preface", async () => {
    const raws = await suite.underWatch(async () => {
      const raws = await Promise.all(
        Array.from({ length: 50 }, () => connectRaw(suite.server.port, Buffer.from("PRI * HT", "latin1"))),
      );
      // 1 s handshake timeout; 5 s leaves room on a busy machine.
      return Promise.all(raws.map((raw) => closedWithin(raw, 5000)));
    });
    expect(raws.every((closed) => closed)).toBe(true);
  });

  it("should close connections that send the preface and then nothing", async () => {
    const raws = await suite.underWatch(async () => {
      // 50 send the magic string without SETTINGS, 50 send both but never acknowledge the server's.
      const raws = await Promise.all([
        ...Array.from({ length: 50 }, () => connectRaw(suite.server.port, preface)),
        ...Array.from({ length: 50 }, () =>
          connectRaw(suite.server.port, Buffer.concat([preface, emptySettings]), false),
        ),
      ]);
      return Promise.all(raws.map((raw) => closedWithin(raw, 5000)));
    });
    expect(raws.every((closed) => closed)).toBe(true);
  });

  it("should close an idle connection with GOAWAY", async () => {
    const raw = await suite.underWatch(async () => {
      const raw = await connectRaw(suite.server.port, Buffer.concat([preface, emptySettings]));
      // 2 s idle timeout.
      expect(await closedWithin(raw, 6000)).toBe(true);
      return raw;
    });
    expect(raw.goawayCode()).toBe(h2Error.noError);
  });

  it("should close a connection whose header block is trickled and never finished", async () => {
    const raw = await suite.underWatch(async () => {
      const raw = await connectRaw(suite.server.port, Buffer.concat([preface, emptySettings]));
      // HEADERS without END_HEADERS, then one small CONTINUATION (no END_HEADERS) every 200 ms.
      raw.socket.write(frame(frameType.headers, 0, 1, requestBlock("GET", "/v2/health/live")));
      for (let i = 0; i < 50 && !raw.socket.destroyed; i++) {
        raw.socket.write(frame(frameType.continuation, 0, 1, Buffer.from([0x40, 1, 0x78, 1, 0x79])));
        if (await closedWithin(raw, 200)) {
          break;
        }
      }
      return raw;
    });
    expect(raw.socket.destroyed).toBe(true);
  });

  it("should refuse a header list over --max-header-size and keep serving", async () => {
    const outcome = await suite.underWatch(async () => {
      const client = http2.connect(suite.server.url);
      client.on("error", () => {});
      const ask = (extra: http2.OutgoingHttpHeaders) =>
        new Promise<number | string>((resolve) => {
          const req = client.request({ ":path": "/v2/health/live", ...extra });
          req.on("response", (h) => resolve(h[":status"] as number));
          req.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "error"));
          req.on("close", () => resolve(`closed, RST_STREAM ${req.rstCode}`));
          req.resume();
          req.end();
        });
      // The limit holds once the client has acknowledged the server's SETTINGS, as the first
      // answer shows it has.
      const first = await ask({});
      const big = await ask({ "x-big": "a".repeat(16 * 1024) });
      const after = await ask({});
      client.close();
      return { first, big, after };
    });
    expect(outcome).toEqual({ first: 200, big: "ERR_HTTP2_STREAM_ERROR", after: 200 });
  });
});
