import type { InferRequest, InferResponse } from "@tensorwire/codec";
import type { GrpcCodeName } from "./case-schema.js";

/** What came back from one request, in a form every expectation can read. */
export interface Outcome {
  /** HTTP status (REST). */
  readonly status?: number;
  /** gRPC status (gRPC). */
  readonly code?: GrpcCodeName;
  /** Response headers (gRPC: headers and trailers), lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The REST body (its JSON header under the binary extension) or the gRPC message as proto JSON. */
  readonly json: unknown;
  /** A short printable form of the body or the gRPC error, for failure messages. */
  readonly summary: string;
  /** The response as tensors; throws when it is not a decodable inference response. */
  readonly decode: () => InferResponse;
}

/** What was sent, for expectations derived from the request. */
export interface Sent {
  /** The model the request addresses (path, gRPC field or routing header). */
  readonly modelName: string | undefined;
  /** The request as tensors; throws when the request is not a decodable inference request. */
  readonly decode: () => InferRequest;
}

export function summarize(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  // Long enough for a typical error message, short enough for one table row.
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}
