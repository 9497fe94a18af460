import * as http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  ModelInferRequestSchema,
  ModelReadyRequestSchema,
  ServerLiveRequestSchema,
} from "@tensorwire/proto/oip";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPipelineDataPlane } from "../../pipeline/create-pipeline-data-plane.js";
import { defaultPipelines } from "../../pipeline/default-pipelines.js";
import { createRequestHandlers } from "../../server/create-request-handler.js";
import { createServerCore, type ServerCore } from "../../server/create-server-core.js";
import { type Listener, listen } from "../../server/listen.js";
import { rawInputContentsOffset } from "./fast-path.js";

interface Answer {
  readonly headers: Record<string, unknown>;
  readonly trailers: Record<string, unknown>;
  readonly body: string;
}

let core: ServerCore;
let fast: Listener;
let connect: Listener;
let fastHandled = 0;

/** One server's two listeners: the same handlers, with and without the fast path in front. */
async function listenBoth(options: Parameters<typeof createRequestHandlers>[1]) {
  const plane = createPipelineDataPlane(core.dataPlane, defaultPipelines());
  const { handler, fastPath } = createRequestHandlers(plane, options, { onServerFault: () => {} });
  const withFastPath = await listen(handler, {
    port: 0,
    host: "127.0.0.1",
    streamHandler: (stream, headers) => {
      const handled = fastPath(stream, headers);
      fastHandled += handled ? 1 : 0;
      return handled;
    },
  });
  const connectOnly = await listen(handler, { port: 0, host: "127.0.0.1" });
  return [withFastPath, connectOnly] as const;
}

let securedFast: Listener;
let securedConnect: Listener;

beforeAll(async () => {
  core = await createServerCore();
  [fast, connect] = await listenBoth({});
  [securedFast, securedConnect] = await listenBoth({ authToken: "t0ken", apiKey: "k3y" });
});

afterAll(async () => {
  await Promise.all([fast.close(), connect.close(), securedFast.close(), securedConnect.close()]);
  await core.close();
});

function call(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Uint8Array,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    let responseHeaders: Record<string, unknown> = {};
    let trailers: Record<string, unknown> = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => {
      responseHeaders = { ...h };
    });
    stream.on("trailers", (t) => {
      trailers = { ...t };
    });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", reject);
    stream.on("end", () => {
      session.close();
      // The date differs between two answers by nature.
      delete responseHeaders.date;
      resolve({ headers: responseHeaders, trailers, body: Buffer.concat(chunks).toString("hex") });
    });
    stream.end(body);
  });
}

function frame(message: Uint8Array, flag = 0): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flag;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

const inferPath = "/inference.GRPCInferenceService/ModelInfer";

/** A valid tfsimple request with raw contents. */
function tfsimpleMessage(): Uint8Array {
  const ones = new Uint8Array(new Int32Array(16).fill(1).buffer);
  return toBinary(
    ModelInferRequestSchema,
    create(ModelInferRequestSchema, {
      modelName: "tfsimple",
      inputs: ["INPUT0", "INPUT1"].map((name) => ({ name, datatype: "INT32", shape: [1n, 16n] })),
      rawInputContents: [ones, ones],
    }),
  );
}

/** ModelInfer requests over the zoo: valid, invalid, unknown models, raw and typed contents. */
const inferMessage = fc
  .record({
    // simple answers raw contents to typed requests too (its config's grpcRawOutput).
    model: fc.constantFrom("tfsimple", "simple", "identity_fp32", "identity_int64", "iris", "nope", ""),
    version: fc.constantFrom("", "1", "7"),
    id: fc.constantFrom("", "req-1"),
    rows: fc.integer({ min: 0, max: 3 }),
    cols: fc.constantFrom(4, 16, 3),
    raw: fc.boolean(),
    inputNames: fc.constantFrom(["INPUT0", "INPUT1"], ["INPUT0"], ["input"], ["predict"]),
    datatype: fc.constantFrom("FP32", "INT32", "INT64"),
    outputs: fc.constantFrom([], ["OUTPUT0"], ["OUTPUT1"], ["predict_proba"], ["missing"]),
    seed: fc.integer(),
  })
  .map((r) => {
    const count = r.rows * r.cols;
    const size = r.datatype === "INT64" ? 8 : 4;
    const rawBytes = () => {
      const bytes = new Uint8Array(count * size);
      for (let i = 0; i < bytes.length; i++) {
        bytes[i] = (r.seed + i * 7) & (size === 4 && r.datatype === "FP32" && i % 4 === 3 ? 0x3f : 0x7f);
      }
      return bytes;
    };
    const values = Array.from({ length: count }, (_, i) => ((r.seed + i) % 50) / 4);
    const contents =
      r.datatype === "FP32"
        ? { fp32Contents: values }
        : r.datatype === "INT32"
          ? { intContents: values.map(Math.floor) }
          : { int64Contents: values.map((v) => BigInt(Math.floor(v))) };
    return toBinary(
      ModelInferRequestSchema,
      create(ModelInferRequestSchema, {
        modelName: r.model,
        modelVersion: r.version,
        id: r.id,
        inputs: r.inputNames.map((name) => ({
          name,
          datatype: r.datatype,
          shape: [BigInt(r.rows), BigInt(r.cols)],
          ...(r.raw ? {} : { contents }),
        })),
        outputs: r.outputs.map((name) => ({ name })),
        rawInputContents: r.raw ? r.inputNames.map(rawBytes) : [],
      }),
    );
  });

const headerSets = fc.record(
  {
    "x-request-id": fc.constantFrom("abc", "id-2"),
    "x-foo": fc.constantFrom("bar", "two words"),
    "seldon-model": fc.constantFrom(
      "tfsimple",
      "iris.model",
      "p.pipeline",
      "tfsimples.pipeline",
      "a.b.c",
      "",
    ),
    "grpc-accept-encoding": fc.constantFrom("gzip", "identity,deflate,gzip", "identity", "br", "snappy"),
    "grpc-timeout": fc.constantFrom("5S", "100m", "bogus", "999999999S"),
    "grpc-encoding": fc.constantFrom("identity", "gzip"),
    "content-type": fc.constantFrom("application/grpc+proto", "application/grpc+json"),
  },
  { requiredKeys: ["x-request-id"] },
);

/** Bodies around one message: plain, compressed flag, two messages, truncated, garbage. */
function bodyFor(kind: string, message: Uint8Array, encoding: string | undefined): Buffer {
  const plain = encoding === "gzip" ? frame(gzipSync(message), 1) : frame(message);
  switch (kind) {
    case "flagged":
      return frame(message, 1);
    case "two":
      return Buffer.concat([plain, plain]);
    case "truncated":
      return plain.subarray(0, Math.max(0, plain.length - 2));
    case "trailing":
      return Buffer.concat([plain, Buffer.from([0, 0])]);
    case "garbage":
      return frame(Buffer.from([0xff, 0xff, 0x01]));
    case "empty":
      return Buffer.alloc(0);
    default:
      return plain;
  }
}

const bodyKinds = fc.constantFrom(
  "plain",
  "plain",
  "plain",
  "flagged",
  "two",
  "truncated",
  "trailing",
  "garbage",
  "empty",
);

describe("createFastPath()", () => {
  it("should answer ModelInfer with the same headers, body and trailers as connect-node", async () => {
    const before = fastHandled;
    await fc.assert(
      fc.asyncProperty(inferMessage, headerSets, bodyKinds, async (message, headers, kind) => {
        const body = bodyFor(kind, message, headers["grpc-encoding"]);
        const [a, b] = await Promise.all([
          call(fast.port, inferPath, headers, body),
          call(connect.port, inferPath, headers, body),
        ]);
        expect(a).toEqual(b);
      }),
      // 300 runs put 75–100 through the fast path (measured), so the floor below is not hit by chance.
      { numRuns: 300 },
    );
    // Enough runs must have gone through the fast path, or the comparison proves nothing.
    expect(fastHandled - before).toBeGreaterThan(40);
  });

  it("should answer the cheap unary RPCs as connect-node does", async () => {
    const cases: [string, Uint8Array, Record<string, string>][] = [
      [
        "/inference.GRPCInferenceService/ServerLive",
        toBinary(ServerLiveRequestSchema, create(ServerLiveRequestSchema)),
        {},
      ],
      ["/inference.GRPCInferenceService/ServerReady", new Uint8Array(), { "x-trace": "1" }],
      [
        "/inference.GRPCInferenceService/ModelReady",
        toBinary(ModelReadyRequestSchema, create(ModelReadyRequestSchema, { name: "iris" })),
        {},
      ],
      [
        "/inference.GRPCInferenceService/ModelReady",
        toBinary(ModelReadyRequestSchema, create(ModelReadyRequestSchema, { name: "nope" })),
        { "seldon-model": "x.y.z" },
      ],
    ];
    for (const [path, message, headers] of cases) {
      const [a, b] = await Promise.all([
        call(fast.port, path, headers, frame(message)),
        call(connect.port, path, headers, frame(message)),
      ]);
      expect(a).toEqual(b);
    }
  });

  it("should gzip large responses when the client accepts gzip, as connect-node does", async () => {
    const values = new Uint8Array(4096 * 4);
    const message = toBinary(
      ModelInferRequestSchema,
      create(ModelInferRequestSchema, {
        modelName: "identity_fp32",
        inputs: [{ name: "INPUT0", datatype: "FP32", shape: [1n, 4096n] }],
        rawInputContents: [values],
      }),
    );
    const headers = { "grpc-accept-encoding": "identity,deflate,gzip", "x-request-id": "big" };
    const [a, b] = await Promise.all([
      call(fast.port, inferPath, headers, frame(message)),
      call(connect.port, inferPath, headers, frame(message)),
    ]);
    expect(a.headers["grpc-encoding"]).toBe("gzip");
    expect(a.body.slice(0, 2)).toBe("01");
    expect(a).toEqual(b);
  });

  it("should answer raw requests of several DATA frames, at every alignment, as connect-node does", async () => {
    const values = Float32Array.from({ length: 3 * 4096 }, (_, i) => i / 3);
    for (let shift = 0; shift < 8; shift++) {
      const message = toBinary(
        ModelInferRequestSchema,
        create(ModelInferRequestSchema, {
          modelName: "identity_fp32",
          id: "x".repeat(shift),
          inputs: [{ name: "INPUT0", datatype: "FP32", shape: [1n, BigInt(values.length)] }],
          rawInputContents: [new Uint8Array(values.buffer)],
        }),
      );
      const [a, b] = await Promise.all([
        call(fast.port, inferPath, { "x-request-id": `shift-${shift}` }, frame(message)),
        call(connect.port, inferPath, { "x-request-id": `shift-${shift}` }, frame(message)),
      ]);
      expect(a.trailers["grpc-status"]).toBe("0");
      expect(a).toEqual(b);
    }
  });
});

describe("createFastPath() with credentials", () => {
  const credentials = fc.constantFrom<Record<string, string>>(
    {},
    { authorization: "Bearer t0ken" },
    { authorization: "bearer  t0ken" },
    { authorization: "Bearer nope" },
    { authorization: "ApiKey k3y" },
    { authorization: "Basic dTpw" },
    { authorization: "Bearer" },
    { "x-api-key": "k3y" },
    { "x-api-key": "wrong" },
  );
  const paths = fc.constantFrom(
    inferPath,
    "/inference.GRPCInferenceService/ServerLive",
    "/inference.GRPCInferenceService/ServerReady",
    "/inference.GRPCInferenceService/ModelReady",
  );

  it("should answer missing, invalid and valid credentials as connect-node does", async () => {
    const before = fastHandled;
    await fc.assert(
      fc.asyncProperty(inferMessage, credentials, paths, bodyKinds, async (message, auth, path, kind) => {
        const body = path === inferPath ? bodyFor(kind, message, undefined) : frame(new Uint8Array());
        const headers = { "x-request-id": "auth", "x-foo": "bar", ...auth };
        const [a, b] = await Promise.all([
          call(securedFast.port, path, headers, body),
          call(securedConnect.port, path, headers, body),
        ]);
        expect(a).toEqual(b);
      }),
      { numRuns: 120 },
    );
    // Every call of these RPCs is the fast path's, credentials or not.
    expect(fastHandled - before).toBe(120);
  });

  it("should serve a valid credential and refuse a missing one with UNAUTHENTICATED on the fast path", async () => {
    const before = fastHandled;
    const ok = await call(
      securedFast.port,
      inferPath,
      { authorization: "Bearer t0ken" },
      frame(tfsimpleMessage()),
    );
    const denied = await call(securedFast.port, inferPath, {}, frame(tfsimpleMessage()));
    expect(fastHandled - before).toBe(2);
    expect(ok.trailers["grpc-status"]).toBe("0");
    expect(denied.trailers["grpc-status"]).toBe("16");
    expect(decodeURIComponent(String(denied.trailers["grpc-message"]))).toMatch(/^missing credentials/);
  });
});

describe("rawInputContentsOffset()", () => {
  const request = (name: string, raws: Uint8Array[]) =>
    toBinary(
      ModelInferRequestSchema,
      create(ModelInferRequestSchema, {
        modelName: name,
        id: name,
        inputs: raws.map((raw, i) => ({ name: `in${i}`, datatype: "UINT8", shape: [BigInt(raw.length)] })),
        rawInputContents: raws,
      }),
    );

  it("should find the first raw tensor's bytes, in the request or in any start of it that holds them", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        (name, raws, cut) => {
          const bytes = request(name, raws);
          const first = raws[0] as Uint8Array;
          const offset = rawInputContentsOffset(bytes) as number;
          expect(Buffer.from(bytes.subarray(offset, offset + first.length))).toEqual(Buffer.from(first));
          const prefix = bytes.subarray(0, cut % (bytes.length + 1));
          expect(rawInputContentsOffset(prefix)).toBe(prefix.length < offset ? undefined : offset);
        },
      ),
    );
  });

  it("should find none in a request with typed contents", () => {
    expect(rawInputContentsOffset(request("m", []))).toBeUndefined();
  });
});
