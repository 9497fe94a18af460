import { randomBytes } from "node:crypto";
import * as http from "node:http";
import * as http2 from "node:http2";
import { createGzip } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canServe, probe, type ServeProcess, serve } from "./serve.js";

// gRPC, gRPC-Web and Connect probes against `tensorwire serve` with its default limits
// (--grpc-max-message-size 64 MiB): declared lengths far over the limit, a gzip bomb, garbage
// protobuf. Each asserts the answer, a health probe that kept answering, and that the process
// gave back its file descriptors and memory.

const MiB = 1024 * 1024;
const limit = 64 * MiB;

let server: ServeProcess;
beforeAll(async () => {
  server = await serve();
  // The first RPC's answer: the RPC side is loaded and warm before any baseline is taken.
  await grpcProbe(server.url, "/inference.GRPCInferenceService/ServerLive", {
    body: envelope(new Uint8Array()),
  });
});
afterAll(() => server?.stop());

interface ProbeResult {
  readonly status: string | undefined;
  readonly message: string | undefined;
  /** Body bytes the client handed to its stream before the server's status arrived. */
  readonly written: number;
}

interface ProbeOptions {
  readonly headers?: Record<string, string>;
  /** A whole body to send, or a first chunk followed by zeros until the status (at most `maxBytes`). */
  readonly body?: Uint8Array;
  readonly first?: Uint8Array;
  readonly maxBytes?: number;
}

/**
 * One gRPC call on its own connection. With `first`, keeps writing 1 MiB chunks of zeros after it,
 * waiting for the flow-control window as any client must, until the status arrives (or
 * `maxBytes`), and counts what it wrote: the server's refusal shows as how early it came.
 */
function grpcProbe(url: string, path: string, options: ProbeOptions): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", () => {});
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
      ...options.headers,
    });
    let written = 0;
    let finished = false;
    const finish = (status: unknown, message: unknown) => {
      if (finished) return;
      finished = true;
      session.destroy();
      resolve({
        status: status === undefined ? undefined : String(status),
        message: message === undefined ? undefined : decodeURIComponent(String(message)),
        written,
      });
    };
    stream.on("response", (h) => {
      if (h["grpc-status"] !== undefined) finish(h["grpc-status"], h["grpc-message"]);
    });
    stream.on("trailers", (t) => finish(t["grpc-status"], t["grpc-message"]));
    stream.on("close", () => finish(undefined, `stream closed, code ${stream.rstCode}`));
    stream.on("error", (err) => (finished ? undefined : reject(err)));
    stream.resume();
    if (options.body !== undefined) {
      written = options.body.length;
      stream.end(options.body);
      return;
    }
    const chunk = Buffer.alloc(MiB);
    const maxBytes = options.maxBytes ?? 0;
    const pump = () => {
      while (!finished && written < maxBytes) {
        written += chunk.length;
        if (!stream.write(chunk)) {
          stream.once("drain", pump);
          return;
        }
      }
      if (!finished) stream.end();
    };
    written = options.first?.length ?? 0;
    stream.write(options.first ?? new Uint8Array());
    pump();
  });
}

/**
 * A gRPC-Web call over HTTP/1.1 (chunked): `first`, then 1 MiB chunks of zeros until the
 * response arrives (or `maxBytes`), counting what was written.
 */
function grpcWebProbe(
  port: number,
  first: Uint8Array,
  maxBytes: number,
): Promise<{ status: number | undefined; grpcStatus: string | undefined; written: number }> {
  return new Promise((resolve, reject) => {
    let written = first.length;
    let answered = false;
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/inference.GRPCInferenceService/ModelMetadata",
        headers: { "content-type": "application/grpc-web+proto" },
        agent: false,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          // gRPC-Web carries the status in the headers (trailers-only) or in a trailer frame.
          const trailer = /grpc-status: ?(\d+)/.exec(Buffer.concat(chunks).toString("latin1"))?.[1];
          const grpcStatus = res.headers["grpc-status"] ?? trailer;
          resolve({
            status: res.statusCode,
            grpcStatus: grpcStatus === undefined ? undefined : String(grpcStatus),
            written,
          });
          req.destroy();
        });
      },
    );
    req.on("error", (err) => (answered ? undefined : reject(err)));
    const chunk = Buffer.alloc(MiB);
    const pump = () => {
      while (!answered && written < maxBytes) {
        written += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    req.write(first);
    pump();
  });
}

function envelope(message: Uint8Array, flag = 0): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flag;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

function declared(length: number, flag = 0): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flag;
  prefix.writeUInt32BE(length, 1);
  return prefix;
}

/** ~1 GiB of zeros, gzipped (about 1 MiB). */
async function gzipBomb(): Promise<Buffer> {
  const gzip = createGzip({ level: 1 });
  const out: Buffer[] = [];
  gzip.on("data", (c: Buffer) => out.push(c));
  const ended = new Promise((resolve) => gzip.on("end", resolve));
  const zeros = Buffer.alloc(4 * MiB);
  for (let i = 0; i < 256; i++) {
    if (!gzip.write(zeros)) {
      await new Promise((resolve) => gzip.once("drain", resolve));
    }
  }
  gzip.end();
  await ended;
  return Buffer.concat(out);
}

describe.skipIf(!canServe)("gRPC abuse probes", () => {
  it.each<[string, string, Record<string, string>]>([
    ["the fast path (ModelInfer)", "/inference.GRPCInferenceService/ModelInfer", {}],
    ["the connect path (ModelMetadata)", "/inference.GRPCInferenceService/ModelMetadata", {}],
    [
      "a gzip stream (grpc-encoding)",
      "/inference.GRPCInferenceService/ModelInfer",
      { "grpc-encoding": "gzip" },
    ],
  ])("should refuse a 4 GiB declared message on %s before 65 MiB of it arrive", async (_, path, headers) => {
    const flag = headers["grpc-encoding"] === undefined ? 0 : 1;
    const result = await probe(server, () =>
      grpcProbe(server.url, path, { headers, first: declared(0xffff_ffff, flag), maxBytes: 1024 * MiB }),
    );
    console.log(
      `${path} ${JSON.stringify(headers)}: refused after ${(result.written / MiB).toFixed(1)} MiB written`,
    );
    expect(result.status).toBe("8");
    expect(result.message).toMatch(/4294967295 is larger than configured readMaxBytes 67108864/);
    expect(result.written).toBeLessThan(limit + MiB);
  });

  it("should refuse a 4 GiB declared gRPC-Web message over HTTP/1.1 before 65 MiB of it arrive", async () => {
    const result = await probe(server, () => grpcWebProbe(server.port, declared(0xffff_ffff), 1024 * MiB));
    console.log(
      `gRPC-Web HTTP/1.1: HTTP ${result.status}, refused after ${(result.written / MiB).toFixed(1)} MiB written`,
    );
    expect(result.status).toBe(200);
    expect(result.grpcStatus).toBe("8");
    expect(result.written).toBeLessThan(limit + MiB);
  });

  it("should refuse a gzip bomb (~1 GiB of zeros) without inflating it all", async () => {
    const bomb = await gzipBomb();
    expect(bomb.length).toBeLessThan(limit);
    const started = performance.now();
    const result = await probe(server, () =>
      grpcProbe(server.url, "/inference.GRPCInferenceService/ModelInfer", {
        headers: { "grpc-encoding": "gzip" },
        body: envelope(bomb, 1),
      }),
    );
    console.log(
      `gzip bomb of ${(bomb.length / MiB).toFixed(2)} MiB: grpc-status ${result.status} in ${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(result.status).toBe("8");
    expect(result.message).toMatch(/after decompression/);
  });

  it("should refuse a gzip bomb whose trailer hides its size after inflating at most the limit", async () => {
    const bomb = await gzipBomb();
    // ISIZE = 1: the server cannot tell from the trailer and inflates until the limit. What it
    // inflated is garbage from then on, freed at V8's next collection: with the default limit that
    // is 64 MiB, half the probe's RSS margin, so this probe runs a server with a 16 MiB limit to
    // keep what it measures clear of the margin.
    const lying = Buffer.concat([bomb.subarray(0, bomb.length - 4), Buffer.from([1, 0, 0, 0])]);
    const small = await serve(["--grpc-max-message-size", String(16 * MiB)]);
    try {
      await grpcProbe(small.url, "/inference.GRPCInferenceService/ServerLive", {
        body: envelope(new Uint8Array()),
      });
      const started = performance.now();
      const result = await probe(small, () =>
        grpcProbe(small.url, "/inference.GRPCInferenceService/ModelInfer", {
          headers: { "grpc-encoding": "gzip" },
          body: envelope(lying, 1),
        }),
      );
      console.log(
        `lying gzip bomb: grpc-status ${result.status} in ${(performance.now() - started).toFixed(0)} ms`,
      );
      expect(result.status).toBe("8");
      expect(result.message).toBe(
        "message is larger than configured readMaxBytes 16777216 after decompression",
      );
    } finally {
      await small.stop();
    }
  });

  it("should refuse a gzip bomb in a Connect unary body", async () => {
    const bomb = await gzipBomb();
    const res = await probe(server, () =>
      fetch(`${server.url}/inference.GRPCInferenceService/ModelMetadata`, {
        method: "POST",
        headers: {
          "content-type": "application/proto",
          "content-encoding": "gzip",
          "connect-protocol-version": "1",
        },
        body: bomb,
      }),
    );
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ code: "resource_exhausted" });
  });

  it("should answer garbage protobuf with a gRPC error, never a crash", async () => {
    const paths = [
      "/inference.GRPCInferenceService/ModelInfer",
      "/inference.GRPCInferenceService/ModelMetadata",
      "/inference.GRPCInferenceService/ModelStreamInfer",
      "/seldon.protos.Seldon/Predict",
      "/grpc.health.v1.Health/Check",
    ];
    const statuses = await probe(server, async () => {
      const seen = new Map<string, number>();
      for (let i = 0; i < 200; i++) {
        const path = paths[i % paths.length] as string;
        // Random bytes: mostly invalid wire types, truncated varints and lengths past the end.
        const garbage = randomBytes(1 + (i % 64) * 16);
        const { status } = await grpcProbe(server.url, path, { body: envelope(garbage) });
        seen.set(String(status), (seen.get(String(status)) ?? 0) + 1);
      }
      return seen;
    });
    console.log(
      `garbage protobuf, 200 calls: grpc-status counts ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    // Every call answered with a status: INTERNAL (unparsable, as gRPC servers answer) or a
    // request error for what did parse.
    for (const status of statuses.keys()) {
      expect(["3", "5", "13"]).toContain(status);
    }
  });
});
