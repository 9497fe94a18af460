import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { GRPCInferenceService } from "@tensorwire/proto/oip";
import { Model } from "@tensorwire/proto/seldon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../server/start-server.js";
import { createAuthorize, type PublicKind } from "./authorize.js";

describe("createAuthorize()", () => {
  const authorize = createAuthorize({ authToken: "t0ken", apiKey: "k3y" });
  const check = (headers: Record<string, string>, kind?: PublicKind) =>
    authorize?.((name) => headers[name], kind)?.message;

  it("should check nothing when no credential is configured", () => {
    expect(createAuthorize({})).toBeUndefined();
  });

  it.each([
    ["a bearer token", { authorization: "Bearer t0ken" }],
    ["a bearer token, scheme in any case", { authorization: "bearer  t0ken" }],
    ["Hopsworks' ApiKey scheme", { authorization: "ApiKey k3y" }],
    ["an X-API-Key header", { "x-api-key": "k3y" }],
  ])("should accept %s", (_, headers) => {
    expect(check(headers)).toBeUndefined();
  });

  it.each([
    [
      "nothing",
      {},
      /^missing credentials: send 'Authorization: Bearer <token>' or 'Authorization: ApiKey <key>'/,
    ],
    ["a wrong token", { authorization: "Bearer nope" }, /^invalid credentials/],
    ["the key as a bearer token", { authorization: "Bearer k3y" }, /^invalid credentials/],
    ["an unsupported scheme", { authorization: "Basic dTpw" }, /^unsupported Authorization scheme 'basic'/],
    ["an empty bearer", { authorization: "Bearer" }, /^invalid credentials/],
  ])("should refuse %s", (_, headers, message) => {
    expect(check(headers)).toMatch(message);
  });

  it("should let health probes through unless they are protected", () => {
    expect(check({}, "health")).toBeUndefined();
    const strict = createAuthorize({ authToken: "t0ken", publicHealth: false });
    expect(strict?.(() => undefined, "health")?.code).toBe("unauthenticated");
  });

  it("should protect the metrics scrape unless it is made public", () => {
    expect(check({}, "metrics")).toMatch(/^missing credentials/);
    const open = createAuthorize({ authToken: "t0ken", metricsPublic: true });
    expect(open?.(() => undefined, "metrics")).toBeUndefined();
    expect(open?.(() => undefined, undefined)?.code).toBe("unauthenticated");
  });

  it("should refuse an empty secret, which would accept anyone", () => {
    expect(() => createAuthorize({ authToken: "" })).toThrow(/empty/);
  });
});

let server: RunningServer;
let strict: RunningServer;
beforeAll(async () => {
  [server, strict] = await Promise.all([
    startServer({ authToken: "t0ken", apiKey: "k3y" }),
    startServer({ authToken: "t0ken", publicHealth: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([server.close(), strict.close()]);
});

const bearer = { authorization: "Bearer t0ken" };
const irisSeldon = JSON.stringify({ data: { ndarray: [[5.1, 3.5, 1.4, 0.2]] } });

describe("auth on every surface", () => {
  it.each([
    [
      "OIP REST",
      "GET",
      "/v2/models/iris",
      undefined,
      { error: expect.stringMatching(/^missing credentials/) },
    ],
    [
      "OIP REST pipeline inspect",
      "GET",
      "/v2/pipelines/tfsimples/inspect",
      undefined,
      { error: expect.stringMatching(/^missing credentials/) },
    ],
    ["KServe V1", "GET", "/v1/models", undefined, { error: expect.any(String) }],
    ["TF-Serving", "GET", "/v1/models/iris/metadata", undefined, { error: expect.any(String) }],
    [
      "Seldon v1",
      "POST",
      "/api/v1.0/predictions",
      irisSeldon,
      { status: expect.objectContaining({ code: 401, status: "FAILURE" }) },
    ],
    ["Wallaroo", "GET", "/pipelines", undefined, { error: expect.any(String) }],
  ])(
    "should answer %s without credentials with 401 in the dialect's form",
    async (_, method, path, body, form) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        body,
        headers: { "content-type": "application/json" },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="tensorwire"');
      expect(await res.json()).toEqual(form);
    },
  );

  it("should serve REST with a bearer token, an ApiKey (Hopsworks) or X-API-Key", async () => {
    expect((await fetch(`${server.url}/v2/models/iris`, { headers: bearer })).status).toBe(200);
    const hopsworks = await fetch(`${server.url}/hopsworks-api/api/project/80/models/iris:predict`, {
      method: "POST",
      headers: { authorization: "ApiKey k3y" },
      body: JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2]] }),
    });
    expect(hopsworks.status).toBe(200);
    const wallaroo = await fetch(`${server.url}/pipelines/iris`, {
      method: "POST",
      headers: { "x-api-key": "k3y", "content-type": "application/json; format=pandas-records" },
      body: JSON.stringify([{ input: [5.1, 3.5, 1.4, 0.2] }]),
    });
    expect(wallaroo.status).toBe(200);
  });

  it("should leave health probes public by default and protect them on request", async () => {
    for (const path of ["/v2/health/live", "/v2/health/ready", "/", "/health/ping", "/health/status"]) {
      expect((await fetch(`${server.url}${path}`)).status).toBe(200);
      expect((await fetch(`${strict.url}${path}`)).status).toBe(401);
      expect((await fetch(`${strict.url}${path}`, { headers: bearer })).status).toBe(200);
    }
  });

  it("should protect /metrics under credentials, health probes public or not", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: bearer })).status).toBe(200);
    const open = await startServer({ authToken: "t0ken", metricsPublic: true, models: [] });
    try {
      expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
      expect((await fetch(`${open.url}/v2/models/iris`)).status).toBe(401);
    } finally {
      await open.close();
    }
  });

  it("should answer gRPC and Connect calls without credentials with UNAUTHENTICATED", async () => {
    for (const transport of [
      createGrpcTransport({ baseUrl: server.url }),
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }),
    ]) {
      const oip = createClient(GRPCInferenceService, transport);
      await expect(oip.modelMetadata({ name: "iris" })).rejects.toMatchObject({
        code: Code.Unauthenticated,
        rawMessage: expect.stringMatching(/^missing credentials/),
      });
      expect((await oip.modelMetadata({ name: "iris" }, { headers: bearer })).name).toBe("iris");
      expect((await oip.serverLive({})).live).toBe(true);
      const seldon = createClient(Model, transport);
      await expect(seldon.metadata({})).rejects.toMatchObject({ code: Code.Unauthenticated });
      expect((await seldon.metadata({}, { headers: { authorization: "ApiKey k3y" } })).name).toBe("iris");
    }
    const protectedLive = createClient(GRPCInferenceService, createGrpcTransport({ baseUrl: strict.url }));
    await expect(protectedLive.serverLive({})).rejects.toMatchObject({ code: Code.Unauthenticated });
  });
});
