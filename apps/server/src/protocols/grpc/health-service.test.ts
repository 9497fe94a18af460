import * as http2 from "node:http2";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import {
  Health,
  HealthCheckRequestSchema,
  type HealthCheckResponse,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as Status,
} from "@tensorwire/proto/health";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../server/start-server.js";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ models: [], authToken: "t0ken" });
});
afterAll(() => server.close());

const served = [
  "",
  "inference.GRPCInferenceService",
  "seldon.protos.Model",
  "seldon.protos.Generic",
  "seldon.protos.Router",
  "seldon.protos.Transformer",
  "seldon.protos.OutputTransformer",
  "seldon.protos.Combiner",
  "seldon.protos.Seldon",
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
];

describe("grpc.health.v1.Health", () => {
  it.each([
    ["gRPC", () => createGrpcTransport({ baseUrl: server.url })],
    ["gRPC-Web", () => createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1" })],
    ["Connect", () => createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" })],
  ])("should answer Check per service over %s, without credentials", async (_, transport) => {
    const health = createClient(Health, transport());
    for (const service of served) {
      expect((await health.check({ service })).status).toBe(Status.SERVING);
    }
    await expect(health.check({ service: "nope.Nope" })).rejects.toMatchObject({ code: Code.NotFound });
  });

  it("should list every served service", async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    const { statuses } = await health.list({});
    expect(Object.keys(statuses).sort()).toEqual([...served].sort());
    expect(Object.values(statuses).every((s) => s.status === Status.SERVING)).toBe(true);
  });

  it("should need credentials under --protect-health", async () => {
    const strict = await startServer({ models: [], authToken: "t0ken", publicHealth: false });
    try {
      const health = createClient(Health, createGrpcTransport({ baseUrl: strict.url }));
      await expect(health.check({})).rejects.toMatchObject({ code: Code.Unauthenticated });
      const ok = await health.check({}, { headers: { authorization: "Bearer t0ken" } });
      expect(ok.status).toBe(Status.SERVING);
    } finally {
      await strict.close();
    }
  });
});

/** `grpc.health.v1.Health/Watch` through @grpc/grpc-js, gRPC's own Node client. */
function watch(url: string, service: string) {
  const Client = grpc.makeGenericClientConstructor(
    {
      watch: {
        path: "/grpc.health.v1.Health/Watch",
        requestStream: false,
        responseStream: true,
        requestSerialize: (req: { service: string }) =>
          Buffer.from(toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, req))),
        requestDeserialize: (bytes: Buffer) => fromBinary(HealthCheckRequestSchema, bytes),
        responseSerialize: (res: HealthCheckResponse) =>
          Buffer.from(toBinary(HealthCheckResponseSchema, res)),
        responseDeserialize: (bytes: Buffer) => fromBinary(HealthCheckResponseSchema, bytes),
      },
    },
    "Health",
  );
  const client = new Client(new URL(url).host, grpc.credentials.createInsecure());
  const call = client.makeServerStreamRequest(
    "/grpc.health.v1.Health/Watch",
    (req: { service: string }) =>
      Buffer.from(toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, req))),
    (bytes: Buffer) => fromBinary(HealthCheckResponseSchema, bytes),
    { service },
  );
  const statuses: Status[] = [];
  const waiters: (() => void)[] = [];
  call.on("data", (res: HealthCheckResponse) => {
    statuses.push(res.status);
    for (const wake of waiters.splice(0)) {
      wake();
    }
  });
  call.on("error", () => {});
  return {
    /** Resolves once `n` statuses have arrived (the test's timeout bounds the wait). */
    async received(n: number): Promise<Status[]> {
      while (statuses.length < n) {
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return statuses;
    },
    end() {
      call.cancel();
      client.close();
    },
  };
}

describe("grpc.health.v1.Health/Watch (@grpc/grpc-js)", () => {
  it("should send SERVING, then NOT_SERVING when the server drains", async () => {
    const draining = await startServer({ models: [], drainTimeoutMs: 5_000 });
    const oip = watch(draining.url, "inference.GRPCInferenceService");
    const all = watch(draining.url, "");
    try {
      expect(await oip.received(1)).toEqual([Status.SERVING]);
      expect(await all.received(1)).toEqual([Status.SERVING]);
      const closed = draining.close();
      expect(await oip.received(2)).toEqual([Status.SERVING, Status.NOT_SERVING]);
      expect(await all.received(2)).toEqual([Status.SERVING, Status.NOT_SERVING]);
      oip.end();
      all.end();
      await closed;
    } finally {
      oip.end();
      all.end();
    }
  });

  it("should send SERVICE_UNKNOWN for an unknown name and keep the call open", async () => {
    const unknown = watch(server.url, "nope.Nope");
    try {
      expect(await unknown.received(1)).toEqual([Status.SERVICE_UNKNOWN]);
    } finally {
      unknown.end();
    }
  });
});

/** One request on a raw HTTP/2 stream: the status line, headers and trailers as they came. */
function rawCall(url: string, path: string, contentType: string) {
  return new Promise<{
    headers: http2.IncomingHttpHeaders;
    /** The HEADERS frame ended the stream: a trailers-only answer. */
    endStream: boolean;
    trailers: http2.IncomingHttpHeaders;
    body: Buffer;
  }>((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", reject);
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": contentType,
      te: "trailers",
    });
    let headers: http2.IncomingHttpHeaders = {};
    let endStream = false;
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h, flags) => {
      headers = h;
      endStream = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0;
    });
    stream.on("trailers", (t) => {
      trailers = t;
    });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", reject);
    stream.on("end", () => {
      session.close();
      resolve({ headers, endStream, trailers, body: Buffer.concat(chunks) });
    });
    stream.end(Buffer.alloc(5));
  });
}

describe("an unknown service or method", () => {
  it.each(["/inference.GRPCInferenceService/Nope", "/nope.Nope/Check"])(
    "should answer %s over gRPC with HTTP 200 trailers-only grpc-status 12",
    async (path) => {
      const { headers, endStream, trailers, body } = await rawCall(server.url, path, "application/grpc");
      expect(headers[":status"]).toBe(200);
      expect(endStream).toBe(true);
      expect(headers["grpc-status"]).toBe("12");
      expect(headers["content-type"]).toBe("application/grpc");
      expect(trailers).toEqual({});
      expect(body.length).toBe(0);
    },
  );

  it("should answer UNIMPLEMENTED over gRPC-Web (HTTP/1.1)", async () => {
    const res = await fetch(`${server.url}/inference.GRPCInferenceService/Nope`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto" },
      body: Buffer.alloc(5),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("grpc-status")).toBe("12");
    expect(decodeURIComponent(res.headers.get("grpc-message") ?? "")).toBe(
      "/inference.GRPCInferenceService/Nope is not implemented",
    );
  });

  it("should answer Connect's unimplemented to the Connect protocol", async () => {
    const res = await fetch(`${server.url}/inference.GRPCInferenceService/Nope`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-protocol-version": "1" },
      body: "{}",
    });
    expect(res.status).toBe(501);
    expect(await res.json()).toEqual({
      code: "unimplemented",
      message: "/inference.GRPCInferenceService/Nope is not implemented",
    });
  });

  it("should leave REST's 404 to a plain request on such a path", async () => {
    const res = await fetch(`${server.url}/nope.Nope/Check`, { headers: { authorization: "Bearer t0ken" } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "Not Found" });
  });
});
