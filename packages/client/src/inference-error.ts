import { type ErrorCode, errorStatus, TensorwireError } from "@tensorwire/codec";

/**
 * The clients' error: a `TensorwireError` (so `code` is the one closed code set) that also says
 * what the server answered. A client-side timeout has code `deadline_exceeded` and no `status`;
 * a server's error keeps the server's status and the code that status maps to; no answer at all
 * (connection refused, or in a browser a CORS refusal) is `unavailable` without a status.
 *
 * @example
 * try {
 *   await client.infer("iris", [input]);
 * } catch (err) {
 *   if (err instanceof InferenceError && err.code === "not_found") {
 *     console.log(`no such model: ${err.serverMessage} (request ${err.requestId})`);
 *   } else {
 *     throw err;
 *   }
 * }
 */
export class InferenceError extends TensorwireError {
  /** The HTTP status (REST) or gRPC status code (gRPC, Connect, gRPC-Web) the server answered. */
  readonly status: number | undefined;
  /** The server's own error text (`{"error": ...}`, a gRPC status message, or a plain-text body). */
  readonly serverMessage: string | undefined;
  /** The `x-request-id` of the exchange, else the id the request was sent with. */
  readonly requestId: string | undefined;

  /**
   * The clients throw these; a test double may too.
   *
   * @param code - What went wrong, from the codec's closed set.
   * @param message - The whole story: the server's message, the status and the call.
   * @param details - The server's answer, where there was one, and the underlying error.
   */
  constructor(
    code: ErrorCode,
    message: string,
    details: {
      status?: number | undefined;
      serverMessage?: string | undefined;
      requestId?: string | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(code, message, {}, { cause: details.cause });
    this.status = details.status;
    this.serverMessage = details.serverMessage;
    this.requestId = details.requestId;
  }
}

// Statuses the shared table does not produce but servers answer; each row says which server does.
const extraHttpCodes: Readonly<Record<number, ErrorCode>> = {
  // Method Not Allowed (Triton, tensorwire on a wrong verb): the operation does not exist there.
  405: "unimplemented",
  // MLServer's validation errors (FastAPI).
  422: "invalid_argument",
  // Seldon v2's "pipeline not ready".
  424: "failed_precondition",
  429: "resource_exhausted",
  // A gateway could not reach the model server: the same as the server being unavailable.
  502: "unavailable",
};

/** The code an HTTP error status stands for, through the codec's one table (first match wins). */
export function codeFromHttpStatus(status: number): ErrorCode {
  const extra = extraHttpCodes[status];
  if (extra !== undefined) {
    return extra;
  }
  for (const [code, s] of Object.entries(errorStatus)) {
    if (s.http === status) {
      return code as ErrorCode;
    }
  }
  return status >= 500 ? "internal" : "invalid_argument";
}

/** The code a gRPC status stands for; UNKNOWN, ABORTED, DATA_LOSS count as the server's fault. */
export function codeFromGrpcStatus(status: number): ErrorCode {
  // OUT_OF_RANGE is a bad argument that depends on state; callers treat both alike.
  if (status === 11) {
    return "invalid_argument";
  }
  for (const [code, s] of Object.entries(errorStatus)) {
    if (s.grpc === status) {
      return code as ErrorCode;
    }
  }
  return "internal";
}

const utf8 = new TextDecoder();

/**
 * The server's error text from a body: `{"error": msg}` (OIP, KServe, Triton, TF-Serving),
 * `{"status": {"info": msg}}` (Seldon v1), else the body as text (Seldon v2's gateway answers plain
 * text). Long bodies are cut so an HTML error page does not flood a log line.
 */
export function serverMessageFromBody(body: Uint8Array): string | undefined {
  const text = utf8.decode(body).trim();
  if (text === "") {
    return undefined;
  }
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json === "object" && json !== null) {
      const error = (json as { error?: unknown }).error;
      if (typeof error === "string") {
        return error;
      }
      const info = (json as { status?: { info?: unknown; reason?: unknown } }).status;
      if (typeof info?.info === "string" && info.info !== "") {
        return typeof info.reason === "string" && info.reason !== ""
          ? `${info.reason}: ${info.info}`
          : info.info;
      }
    }
  } catch {
    // Not JSON: the text itself is the message.
  }
  return text.length > 1000 ? `${text.slice(0, 997)}...` : text;
}
