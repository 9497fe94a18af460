import { type RunningServer, startServer } from "@tensorwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferInput } from "./infer-input.js";
import { createOipGrpcClient } from "./oip-grpc-client.js";
import { createOipRestClient } from "./oip-rest-client.js";
import { createPlatformHttpClient, createPlatformTransport } from "./platform-web.js";

// The browser platform (fetch, connect-web) runs in Node too, which has both: the same clients on
// the browser's transports, against a real server.

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, host: "127.0.0.1" });
});
afterAll(() => server.close());

const input = inferInput("INPUT0", [1, 3], "FP32", [1, 2, 3]);

describe("browser platform", () => {
  it("should infer over REST through fetch", async () => {
    const client = createOipRestClient(
      server.url,
      { binaryData: true },
      createPlatformHttpClient({ http2: false, tls: {} }),
    );
    const result = await client.infer("identity_fp32", [input]);
    expect(Array.from(result.asTypedArray("OUTPUT0", "FP32"))).toEqual([1, 2, 3]);
    await client.close();
  });

  it.each(["connect", "grpc-web"] as const)("should infer over %s through connect-web", async (protocol) => {
    const { transport } = createPlatformTransport(protocol, server.url, { http2: false, tls: {} });
    const client = createOipGrpcClient(transport);
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

  it("should report a refused connection as unavailable", async () => {
    const client = createOipRestClient(
      "http://127.0.0.1:1",
      { retries: 1, retryBaseMs: 1 },
      createPlatformHttpClient({ http2: false, tls: {} }),
    );
    await expect(client.isServerLive()).rejects.toMatchObject({ code: "unavailable" });
    await client.close();
  });
});
