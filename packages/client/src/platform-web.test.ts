import { type RunningServer, startServer } from "@tensorwire/server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { LogEntry } from "./client-options.js";
import { createOipClient, makeOipClientOptions } from "./create-oip-client.js";
import { inferInput } from "./infer-input.js";
import type { OipClient, OipClientOptions } from "./oip-client.js";
import { createOipRestClient } from "./oip-rest-client.js";
import { createPlatformHttpClient, createPlatformTransport } from "./platform-web.js";
import { freePort, startScriptedServer } from "./testing/scripted-server.js";

// The browser platform (fetch, connect-web) runs in Node too, which has both: the same clients on
// the browser's transports, against a real server. Node's fetch does not enforce CORS, but it fails
// the way a browser does when there is no answer (a TypeError), which is all the client can see of
// a CORS refusal.

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, host: "127.0.0.1" });
});
afterAll(() => server.close());
afterEach(() => {
  vi.unstubAllGlobals();
});

const input = inferInput("INPUT0", [1, 3], "FP32", [1, 2, 3]);
const fast = { retryBaseMs: 1, retryMaxMs: 5 };

/** An OIP client on the browser platform: fetch for REST, connect-web for the others. */
function webClient(
  baseUrl: string,
  protocol: "rest" | "connect" | "grpc-web",
  options: Partial<OipClientOptions> = {},
): OipClient {
  if (protocol === "rest") {
    return createOipRestClient(
      baseUrl,
      makeOipClientOptions(options),
      createPlatformHttpClient({ http2: false, tls: {} }),
    );
  }
  const { transport } = createPlatformTransport(protocol, baseUrl, { http2: false, tls: {} });
  return createOipClient(baseUrl, { ...options, transport });
}

describe("browser platform", () => {
  it("should infer over REST through fetch", async () => {
    const client = webClient(server.url, "rest", { binaryData: true });
    const result = await client.infer("identity_fp32", [input]);
    expect(Array.from(result.asTypedArray("OUTPUT0", "FP32"))).toEqual([1, 2, 3]);
    await client.close();
  });

  it.each(["connect", "grpc-web"] as const)("should infer over %s through connect-web", async (protocol) => {
    const client = webClient(server.url, protocol);
    const result = await client.infer("identity_fp32", [input], { headers: { "x-request-id": "web-1" } });
    expect(Array.from(result.asTypedArray("OUTPUT0", "FP32"))).toEqual([1, 2, 3]);
    expect(result.requestId).toBe("web-1");
    await client.close();
  });

  it("should refuse plain gRPC, which browsers cannot speak", () => {
    expect(() => createPlatformTransport("grpc", server.url, { http2: false, tls: {} })).toThrow(
      /grpc-web or connect/,
    );
  });
});

describe("browser platform, no answer (a CORS refusal or a network failure)", () => {
  it.each(["rest", "connect", "grpc-web"] as const)(
    "should try 1 + retries times, then say CORS or the network blocked it (%s)",
    async (protocol) => {
      const url = `http://127.0.0.1:${await freePort()}`;
      for (const retries of [0, 2]) {
        const log: LogEntry[] = [];
        const client = webClient(url, protocol, { retries, ...fast, logger: (e) => log.push(e) });
        const err = await client.infer("m", [input]).catch((e: unknown) => e);
        await client.close();
        expect(err).toMatchObject({ code: "unavailable", status: undefined });
        expect((err as Error).message).toContain(
          `no answer from ${url}: CORS or the network blocked the request`,
        );
        expect((err as Error).message).toContain("--cors-origin");
        expect(log).toHaveLength(retries + 1);
        expect(log.at(-1)?.retryInMs).toBeUndefined();
      }
    },
  );

  it("should name the page's origin, and blame only the network on that same origin", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    vi.stubGlobal("location", { origin: "https://app.example.com" });
    const cross = webClient(url, "rest", { retries: 0 });
    const crossErr = (await cross.isServerLive().catch((e: unknown) => e)) as Error;
    expect(crossErr.message).toContain("allow requests from https://app.example.com");
    expect(crossErr.message).toContain("--cors-origin https://app.example.com");
    vi.stubGlobal("location", { origin: url });
    const same = (await cross.isServerLive().catch((e: unknown) => e)) as Error;
    expect(same.message).toContain(`no answer from ${url}: the network failed`);
    expect(same.message).not.toContain("CORS");
    await cross.close();
  });

  it("should not repeat an inference whose answer broke off, but repeat a health check", async () => {
    const broken = await startScriptedServer((_req, res) => {
      // Headers, then the connection drops mid-body: the server saw the request.
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write("{", () => res.socket?.end());
    });
    const client = webClient(broken.url, "rest", { retries: 2, ...fast });
    await expect(client.infer("m", [input])).rejects.toMatchObject({ code: "unavailable" });
    expect(broken.seen).toHaveLength(1);
    await expect(client.isServerLive()).rejects.toMatchObject({ code: "unavailable" });
    expect(broken.seen).toHaveLength(4);
    await client.close();
    await broken.close();
  });

  it("should report the caller's abort as cancelled, not as blocked", async () => {
    const silent = await startScriptedServer(() => {
      // Never answers.
    });
    const client = webClient(silent.url, "rest");
    const controller = new AbortController();
    const call = client.infer("m", [input], { signal: controller.signal });
    await expect.poll(() => silent.seen.length).toBe(1);
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: "cancelled" });
    await client.close();
    await silent.close();
  });
});
