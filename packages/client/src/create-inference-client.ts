import type { OipClient, OipClientOptions } from "./oip-client.js";
import { createGrpcInferenceClient, type GrpcProtocol } from "./oip-grpc-client.js";
import { createOipRestClient } from "./oip-rest-client.js";

export type OipProtocol = "rest" | GrpcProtocol;

/**
 * The OIP client for a URL and protocol: "rest" (JSON, or binary data with `binaryData`), "grpc",
 * "connect" or "grpc-web". Same methods, same results, whichever is chosen.
 */
export function createInferenceClient(
  baseUrl: string,
  options: Partial<OipClientOptions> & { readonly protocol?: OipProtocol } = {},
): OipClient {
  const { protocol = "rest", ...rest } = options;
  return protocol === "rest"
    ? createOipRestClient(baseUrl, rest)
    : createGrpcInferenceClient(baseUrl, protocol, rest);
}
