import * as http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../server/start-server.js";
import { createEnvelopeLimit } from "./message-limit.js";

const limit = 64 * 1024;
const inferPath = "/inference.GRPCInferenceService/ModelInfer";
const metadataPath = "/inference.GRPCInferenceService/ModelMetadata";

let fast: RunningServer;
let connectOnly: RunningServer;
beforeAll(async () => {
  [fast, connectOnly] = await Promise.all([
    startServer({ models: [], grpcMaxMessageSize: limit, preloadRpc: true }),
    startServer({ models: [], grpcMaxMessageSize: limit, preloadRpc: true, fastGrpc: false }),
  ]);
});
afterAll(() => Promise.all([fast.close(), connectOnly.close()]));

interface Outcome {
  readonly status: number | undefined;
  /** grpc-status, from the trailers or a trailers-only answer. */
  readonly grpcStatus: string | undefined;
  readonly grpcMessage: string | undefined;
}

/**
 * Sends `first` on a gRPC stream and leaves the stream open (no END_STREAM): a server that waits
 * for the whole body never answers, so the test times out rather than pass.
 */
function sendAndHold(url: string, path: string, first: Uint8Array, headers: Record<string, string> = {}) {
  return new Promise<Outcome>((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", reject);
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    let status: number | undefined;
    let response: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const done = () => {
      // The client gives up its unsent body, as gRPC clients do once the status has arrived.
      session.destroy();
      const grpcStatus = trailers["grpc-status"] ?? response["grpc-status"];
      const grpcMessage = trailers["grpc-message"] ?? response["grpc-message"];
      resolve({
        status,
        grpcStatus: grpcStatus === undefined ? undefined : String(grpcStatus),
        grpcMessage: grpcMessage === undefined ? undefined : decodeURIComponent(String(grpcMessage)),
      });
    };
    stream.on("response", (h) => {
      status = h[":status"];
      response = h;
      if (h["grpc-status"] !== undefined) {
        done();
      }
    });
    stream.on("trailers", (t) => {
      trailers = t;
      done();
    });
    stream.resume();
    stream.on("error", reject);
    stream.write(first);
  });
}

function prefix(length: number, flag = 0): Buffer {
  const out = Buffer.alloc(5);
  out[0] = flag;
  out.writeUInt32BE(length, 1);
  return out;
}

describe.each([
  ["the fast path", () => fast],
  ["the connect path", () => connectOnly],
])("gRPC message limit on %s", (_, server) => {
  it("should refuse a declared length over the limit at its prefix, before the body", async () => {
    const outcome = await sendAndHold(server().url, inferPath, prefix(0xffff_ffff));
    expect(outcome).toEqual({
      status: 200,
      grpcStatus: "8",
      grpcMessage: `message size 4294967295 is larger than configured readMaxBytes ${limit}`,
    });
  });

  it("should refuse one byte over the limit and accept the limit itself", async () => {
    expect((await sendAndHold(server().url, metadataPath, prefix(limit + 1))).grpcStatus).toBe("8");
    // The limit itself passes the size check: the call fails later, for its contents (an unknown field
    // set of zeros is not valid protobuf), not for its size.
    const body = Buffer.concat([prefix(limit), Buffer.alloc(limit)]);
    const session = http2.connect(server().url);
    const stream = session.request({
      ":method": "POST",
      ":path": metadataPath,
      "content-type": "application/grpc",
      te: "trailers",
    });
    const trailers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
      stream.on("trailers", resolve);
      stream.on("error", reject);
      stream.resume();
      stream.end(body);
    });
    session.close();
    expect(trailers["grpc-status"]).not.toBe("8");
  });
});

describe("gRPC message limit after decompression", () => {
  // 16 MiB of zeros compress to ~16 KiB: under the limit on the wire, 256× over it inflated.
  const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024));
  // The same with a trailer that states 1 byte: only the bounded inflate can catch it.
  const lying = Buffer.concat([bomb.subarray(0, bomb.length - 4), Buffer.from([1, 0, 0, 0])]);

  it.each([
    ["its gzip trailer states", bomb, /the gzip trailer states 16777216 bytes/],
    ["its gzip trailer hides", lying, /after decompression$/],
  ])("should refuse a gzip message that inflates past the limit (%s)", async (_, compressed, message) => {
    expect(compressed.length).toBeLessThan(limit);
    for (const server of [fast, connectOnly]) {
      const session = http2.connect(server.url);
      const stream = session.request({
        ":method": "POST",
        ":path": metadataPath,
        "content-type": "application/grpc",
        "grpc-encoding": "gzip",
        te: "trailers",
      });
      const trailers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        stream.on("trailers", resolve);
        stream.on("error", reject);
        stream.resume();
        stream.end(Buffer.concat([prefix(compressed.length, 1), compressed]));
      });
      session.close();
      expect(trailers["grpc-status"]).toBe("8");
      expect(decodeURIComponent(String(trailers["grpc-message"]))).toMatch(message);
    }
  });

  it("should refuse an oversized Connect unary body, declared or streamed", async () => {
    const res = await fetch(`${fast.url}${metadataPath}`, {
      method: "POST",
      headers: { "content-type": "application/proto", "connect-protocol-version": "1" },
      body: Buffer.alloc(limit + 1),
    });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ code: "resource_exhausted" });
  });
});

describe("createEnvelopeLimit()", () => {
  it("should read a prefix split over chunks, and each envelope's in turn", () => {
    const check = createEnvelopeLimit(10);
    const chunks: Uint8Array[] = [];
    let total = 0;
    const push = (bytes: number[]) => {
      chunks.push(Uint8Array.from(bytes));
      total += bytes.length;
      return check(chunks, total);
    };
    expect(push([0, 0])).toBeUndefined();
    expect(push([0, 0, 3, 1, 2, 3])).toBeUndefined();
    expect(push([0, 0, 0])).toBeUndefined();
    expect(push([0, 11])).toBe(11);
  });
});
