import { type RunningServer, startServer } from "@tensorwire/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferInput } from "./infer-input.js";
import {
  createOipClient,
  makeOipClientOptions,
  type OipClient,
  type OipClientOptions,
} from "./oip-client.js";
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
