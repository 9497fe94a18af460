/**
 * The one HTTP operation the REST clients need, so Node (undici) and browsers (fetch) can supply
 * it. Internal: the platform picks it (package.json `imports`, `#platform`).
 */
export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
  /** Closes pooled connections; requests after it fail. */
  close(): Promise<void>;
}

export interface HttpRequest {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly headers: Headers;
  /** Chunks are written in order without being joined first where the platform allows. */
  readonly body?: readonly Uint8Array[];
  readonly signal: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/**
 * Why no answer arrived. "connect": the connection was never made, so the request was not sent
 * and is safe to repeat. "tls": the handshake failed (bad certificate): repeating cannot help.
 * "transfer": the connection broke after the request may have reached the server.
 */
export type TransportFailureKind = "connect" | "tls" | "transfer";

export class TransportFailure extends Error {
  override readonly name = "TransportFailure";
  constructor(
    readonly kind: TransportFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// Error codes of Node's net/dns/tls and undici, by what they say about the request.
const connectCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * Classifies a platform error by its `code` (and its cause's, as fetch wraps errors); a
 * `TransportFailure` the platform already classified, possibly wrapped by Connect, stays as it is.
 */
export function classifyTransportError(err: unknown): TransportFailure {
  if (err instanceof TransportFailure) {
    return err;
  }
  let e: unknown = err;
  for (let depth = 0; depth < 3 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") {
      const kind: TransportFailureKind = connectCodes.has(code)
        ? "connect"
        : /CERT|SSL|TLS|SELF_SIGNED|ALTNAME|UNABLE_TO/.test(code)
          ? "tls"
          : "transfer";
      return new TransportFailure(kind, `${code}: ${e.message}`, { cause: err });
    }
    e = e.cause;
  }
  return new TransportFailure("transfer", err instanceof Error ? err.message : String(err), { cause: err });
}
