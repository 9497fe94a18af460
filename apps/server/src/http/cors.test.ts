import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../server/start-server.js";
import { corsOriginProblem } from "./cors.js";

const page = "http://app.example.test:5173";

/** What a browser sends before a cross-origin request it may not make unasked. */
function preflight(url: string, method: string, headers: string, origin = page): Promise<Response> {
  return fetch(url, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": method, "access-control-request-headers": headers },
  });
}

function list(res: Response, name: string): string[] {
  return (res.headers.get(name) ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");
}

describe("CORS with explicit origins", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ corsOrigins: [page, "https://other.example"], logLevel: "silent" });
  });
  afterAll(() => server.close());

  it.each([
    ["OIP REST, binary data", "/v2/models/iris/infer", "content-type,inference-header-content-length"],
    [
      "Connect",
      "/inference.GRPCInferenceService/ModelInfer",
      "content-type,connect-protocol-version,connect-timeout-ms",
    ],
    [
      "gRPC-Web",
      "/inference.GRPCInferenceService/ModelInfer",
      "content-type,x-grpc-web,x-user-agent,grpc-timeout",
    ],
    ["Seldon v1", "/api/v1.0/predictions", "content-type,seldon-model,x-request-id"],
    ["credentials and echoed x- headers", "/v2/models/iris/infer", "authorization,x-api-key,x-trace-id"],
  ])("should answer a %s preflight with 204 and the headers it asked for", async (_, path, headers) => {
    const res = await preflight(`${server.url}${path}`, "POST", headers);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(page);
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    expect(list(res, "access-control-allow-methods")).toEqual(expect.arrayContaining(["post", "get"]));
    expect(list(res, "access-control-allow-headers")).toEqual(expect.arrayContaining(headers.split(",")));
    expect(list(res, "vary")).toContain("origin");
    expect(Number(res.headers.get("access-control-max-age"))).toBeGreaterThan(0);
  });

  it("should let the page read the answer's request id, gRPC status and binary header", async () => {
    const res = await fetch(`${server.url}/v2/models/iris/infer`, {
      method: "POST",
      headers: { origin: page, "content-type": "application/json", "x-trace-id": "t1" },
      body: JSON.stringify({
        inputs: [{ name: "input", shape: [1, 4], datatype: "FP32", data: [5.1, 3.5, 1.4, 0.2] }],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(page);
    expect(list(res, "access-control-expose-headers")).toEqual(
      expect.arrayContaining([
        "grpc-status",
        "grpc-message",
        "x-request-id",
        "inference-header-content-length",
        "content-type",
        "x-trace-id",
      ]),
    );
    expect(res.headers.get("x-trace-id")).toBe("t1");
  });

  it("should carry the CORS headers on errors too, so the page can read them", async () => {
    const res = await fetch(`${server.url}/v2/models/nope`, { headers: { origin: page } });
    expect(res.status).toBe(404);
    expect(res.headers.get("access-control-allow-origin")).toBe(page);
    expect(await res.json()).toEqual({ error: expect.any(String) });
  });

  it("should not allow an origin it was not given", async () => {
    const res = await preflight(
      `${server.url}/v2/models/iris/infer`,
      "POST",
      "content-type",
      "https://evil.example",
    );
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const get = await fetch(`${server.url}/v2/health/ready`, { headers: { origin: "https://evil.example" } });
    expect(get.status).toBe(200);
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CORS for any origin (*)", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ corsOrigins: ["*"], logLevel: "silent" });
  });
  afterAll(() => server.close());

  it("should allow every origin, without credentials", async () => {
    const res = await preflight(
      `${server.url}/inference.GRPCInferenceService/ModelInfer`,
      "POST",
      "content-type",
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });
});

describe("CORS off (the default)", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ logLevel: "silent" });
  });
  afterAll(() => server.close());

  it("should send no CORS headers and answer no preflight", async () => {
    const rest = await preflight(`${server.url}/v2/models/iris/infer`, "POST", "content-type");
    expect(rest.status).toBe(405);
    expect(rest.headers.get("access-control-allow-origin")).toBeNull();
    const rpc = await preflight(
      `${server.url}/inference.GRPCInferenceService/ModelInfer`,
      "POST",
      "content-type",
    );
    expect(rpc.headers.get("access-control-allow-origin")).toBeNull();
    const get = await fetch(`${server.url}/v2/health/ready`, { headers: { origin: page } });
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("corsOriginProblem()", () => {
  it.each(["*", "https://app.example.com", "http://localhost:5173", "http://[::1]:8080"])(
    "should accept %s",
    (o) => {
      expect(corsOriginProblem(o)).toBeUndefined();
    },
  );

  it.each([
    ["https://app.example.com/", /did you mean https:\/\/app\.example\.com\?/],
    ["https://app.example.com/path", /no path/],
    ["app.example.com", /expected "\*" or an origin/],
    ["", /expected "\*" or an origin/],
  ])("should refuse %j", (o, message) => {
    expect(corsOriginProblem(o)).toMatch(message);
  });

  it("should make startServer refuse a malformed origin and * with others", async () => {
    await expect(startServer({ corsOrigins: ["https://a.example/"], logLevel: "silent" })).rejects.toThrow(
      /corsOrigins: expected an origin/,
    );
    await expect(
      startServer({ corsOrigins: ["*", "https://a.example"], logLevel: "silent" }),
    ).rejects.toThrow(/give it alone/);
  });
});
