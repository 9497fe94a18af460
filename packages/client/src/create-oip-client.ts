import { makeClientOptions, protocolOf } from "./client-options.js";
import type { OipClient, OipClientOptions } from "./oip-client.js";
import { createOipGrpcClient } from "./oip-grpc-client.js";
import { createOipRestClient } from "./oip-rest-client.js";
import { connectTransport } from "./rpc-caller.js";

/** The options with their defaults, merged in this one place. */
export function makeOipClientOptions(options: Partial<OipClientOptions> = {}): OipClientOptions {
  return {
    ...makeClientOptions(options),
    protocol: protocolOf(options),
    transport: options.transport,
    binaryData: options.binaryData ?? false,
    rawContents: options.rawContents ?? true,
    seldonRouting: options.seldonRouting ?? false,
  };
}

/**
 * The Open Inference Protocol (KServe V2) client for the server at `baseUrl`, over REST (default;
 * JSON, or Triton's binary data with `binaryData`), gRPC, Connect or gRPC-Web. Same methods, same
 * results, whichever protocol is chosen. REST uses undici in Node (keep-alive; HTTP/2 with
 * `http2`) and fetch in browsers; the others use Connect transports.
 *
 * @example
 * import { createOipClient, inferInput } from "@tensorwire/client";
 *
 * const client = createOipClient("http://localhost:8080", { protocol: "grpc" });
 * const result = await client.infer("iris", [inferInput("input", [1, 4], "FP32", [[5.1, 3.5, 1.4, 0.2]])]);
 * console.log(result.asTypedArray("predict", "INT64")); // BigInt64Array [0n]
 * await client.close();
 *
 * @example
 * // Your own Connect transport, e.g. with an interceptor:
 * import type { Interceptor } from "@connectrpc/connect";
 * import { createGrpcTransport } from "@connectrpc/connect-node";
 * import { createOipClient } from "@tensorwire/client";
 *
 * const logCalls: Interceptor = (next) => (request) => {
 *   console.log(request.method.name);
 *   return next(request);
 * };
 * const transport = createGrpcTransport({ baseUrl: "http://localhost:8080", interceptors: [logCalls] });
 * const client = createOipClient("http://localhost:8080", { transport });
 */
export function createOipClient(baseUrl: string, options: Partial<OipClientOptions> = {}): OipClient {
  const o = makeOipClientOptions(options);
  if (o.protocol === "rest") {
    return createOipRestClient(baseUrl, o);
  }
  const { transport, close } = connectTransport(baseUrl, o.protocol, o);
  return createOipGrpcClient(transport, o, close);
}
