import type { GrpcCodeName } from "./case-schema.js";
import type { OracleRequest } from "./read-request.js";
import type { OracleResponse } from "./read-response.js";

/** What came back from one request, in a form every expectation can read. */
export interface Outcome {
  /** HTTP status (REST). */
  readonly status?: number;
  /** gRPC status (gRPC). */
  readonly code?: GrpcCodeName;
  /** Response headers (gRPC: headers and trailers), lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The REST body (its JSON header under the binary extension) read by `parseExactJson`, or the
   * gRPC message as proto JSON; undefined when there is none or it is not JSON.
   */
  readonly json: unknown;
  /** Whether the REST body had bytes at all. */
  readonly hasBody: boolean;
  /** A short printable form of the body or the gRPC error, for failure messages. */
  readonly summary: string;
  /** The response as tensors; throws when it is not a readable inference response. */
  readonly read: () => OracleResponse;
}

/** What was sent, for expectations derived from the request. */
export interface Sent {
  /** The model the request addresses (path, gRPC field or routing header). */
  readonly modelName: string | undefined;
  /** The version the request asks for (REST path, gRPC model_version), if any. */
  readonly modelVersion: string | undefined;
  /** The request as tensors; throws when it is not a readable inference request. */
  readonly read: () => OracleRequest;
}

export function summarize(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  // Long enough for a typical error message, short enough for one table row.
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}
