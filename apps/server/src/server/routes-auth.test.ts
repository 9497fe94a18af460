import * as http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./start-server.js";

/**
 * Every route the server registers, REST and RPC, refuses a caller without credentials when a
 * token is set, except the documented public ones: a route added without a sample path fails
 * `routes()` itself, and one that answers without credentials fails here.
 */

/** The health probes documented public (protocols/README.md, Auth), per `publicHealth`. */
const publicRest = [
  "/v2/health/live",
  "/v2/health/ready",
  "/",
  "/health/ping",
  "/health/status",
  "/api/v1.0/health/status",
  "/seldon/default/iris/health/ping",
  "/seldon/default/iris/health/status",
  "/seldon/default/iris/api/v1.0/health/status",
];
const publicRpc = [
  "/inference.GRPCInferenceService/ServerLive",
  "/inference.GRPCInferenceService/ServerReady",
  "/grpc.health.v1.Health/Check",
  "/grpc.health.v1.Health/List",
  "/grpc.health.v1.Health/Watch",
];

let server: RunningServer;
let metricsOpen: RunningServer;
beforeAll(async () => {
  [server, metricsOpen] = await Promise.all([
    startServer({ authToken: "t0ken", apiKey: "k3y" }),
    startServer({ authToken: "t0ken", metricsPublic: true, models: [] }),
  ]);
});
afterAll(() => Promise.all([server.close(), metricsOpen.close()]));

/** A gRPC call carrying one empty message, without credentials: its grpc-status. */
function grpcStatus(url: string, path: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", reject);
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
    });
    let status: string | undefined;
    const done = (value: unknown) => {
      if (value !== undefined && status === undefined) {
        status = String(value);
        // A stream's first answer is enough: a Watch would otherwise stay open.
        session.destroy();
        resolve(status);
      }
    };
    stream.on("response", (h) => done(h["grpc-status"]));
    stream.on("trailers", (t) => done(t["grpc-status"]));
    // A public stream (Watch) answers a message rather than a status: it passed the check.
    stream.on("data", () => done("passed"));
    stream.on("error", reject);
    stream.on("end", () => done("no status"));
    stream.end(Buffer.alloc(5));
  });
}

/**
 * A gRPC-Web call over HTTP/1.1 carrying one empty message, without credentials: its grpc-status
 * (trailers-only in the headers, or the trailer frame), "passed" when a stream answers a message,
 * or the HTTP status of a call refused before it starts.
 */
async function grpcWebStatus(url: string, path: string): Promise<string | undefined> {
  const abort = new AbortController();
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto" },
    body: new Uint8Array(5),
    signal: abort.signal,
  });
  if (res.status !== 200) {
    // connect serves no bidirectional stream over HTTP/1.1 (505): the call never starts.
    abort.abort();
    return `HTTP ${res.status}`;
  }
  const inHeaders = res.headers.get("grpc-status");
  if (inHeaders !== null) {
    abort.abort();
    return inHeaders;
  }
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  abort.abort();
  const frame = first.value ?? new Uint8Array();
  // Flag 0x80 marks the trailer frame; any other first frame is a message: the call passed.
  if (frame[0] !== 0x80) {
    return "passed";
  }
  return /grpc-status: ?(\d+)/.exec(Buffer.from(frame).toString("latin1"))?.[1];
}

describe("the route listing", () => {
  it("should list the documented public routes as public, and nothing else", async () => {
    const { rest, rpc } = await server.routes();
    expect(
      rest
        .filter((r) => r.access === "health")
        .map((r) => r.path)
        .sort(),
    ).toEqual([...publicRest].sort());
    expect(rest.filter((r) => r.access === "metrics").map((r) => r.path)).toEqual(["/metrics"]);
    expect(
      rpc
        .filter((r) => r.access === "health")
        .map((r) => r.path)
        .sort(),
    ).toEqual([...publicRpc].sort());
    // Spot checks that the listing is the whole surface.
    expect(rest.map((r) => r.path)).toEqual(
      expect.arrayContaining([
        "/v2/models/iris/infer",
        "/v2/pipelines/tfsimples/inspect",
        "/v1/models/iris:predict",
        "/api/v1.0/predictions",
        "/pipelines/iris",
        "/hopsworks-api/api/project/80/models/iris:predict",
      ]),
    );
    expect(rpc.map((r) => r.path)).toEqual(
      expect.arrayContaining([
        "/inference.GRPCInferenceService/ModelInfer",
        "/inference.GRPCInferenceService/ModelStreamInfer",
        "/seldon.protos.Seldon/Predict",
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      ]),
    );
  });
});

describe("every route without credentials", () => {
  it("should answer REST 401 on every route and method but the public probes", async () => {
    const { rest } = await server.routes();
    const wrong: string[] = [];
    for (const route of rest) {
      for (const method of route.methods) {
        const res = await fetch(`${server.url}${route.path}`, {
          method,
          ...(method === "POST" ? { body: "{}", headers: { "content-type": "application/json" } } : {}),
        });
        await res.arrayBuffer();
        const expected = route.access === "credentials" || route.access === "metrics" ? 401 : "not 401";
        const got = res.status === 401 ? 401 : "not 401";
        if (got !== expected) {
          wrong.push(`${method} ${route.path}: ${res.status}, expected ${expected}`);
        }
        if (res.status === 401 && res.headers.get("www-authenticate") === null) {
          wrong.push(`${method} ${route.path}: 401 without WWW-Authenticate`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("should answer gRPC and gRPC-Web UNAUTHENTICATED on every RPC but the health RPCs", async () => {
    const { rpc } = await server.routes();
    const wrong: string[] = [];
    for (const route of rpc) {
      const status = await grpcStatus(server.url, route.path);
      if ((status === "16") !== (route.access === "credentials")) {
        wrong.push(`gRPC ${route.path}: grpc-status ${status}`);
      }
      const web = await grpcWebStatus(server.url, route.path);
      const webDenied = web === "16" || web === "HTTP 505";
      if (webDenied !== (route.access === "credentials")) {
        wrong.push(`gRPC-Web ${route.path}: grpc-status ${web}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("should deny the pipeline inspect endpoint (GET and HEAD) and allow it with credentials", async () => {
    for (const method of ["GET", "HEAD"]) {
      const url = `${server.url}/v2/pipelines/tfsimples/inspect`;
      expect((await fetch(url, { method })).status).toBe(401);
      expect((await fetch(url, { method, headers: { authorization: "Bearer t0ken" } })).status).toBe(200);
    }
  });

  it("should serve /metrics without credentials only with metricsPublic", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${metricsOpen.url}/metrics`)).status).toBe(200);
    const { rest } = await metricsOpen.routes();
    expect(rest.find((r) => r.path === "/metrics")?.access).toBe("metrics");
  });
});
