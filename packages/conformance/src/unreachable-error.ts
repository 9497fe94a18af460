/**
 * No answer at all from the server: the connection was refused or dropped, the name does not
 * resolve, the port speaks another protocol, or the request timed out. The message is one line
 * naming what was tried and why it failed.
 */
export class UnreachableError extends Error {
  /** Always "UnreachableError", so that it can be told apart after crossing a realm or a JSON log. */
  override readonly name = "UnreachableError";

  /** Wraps what `fetch` or an HTTP/2 session threw, keeping the innermost cause's code. */
  static from(err: unknown, what: string): UnreachableError {
    return new UnreachableError(`${what}: ${describeCause(err)}`);
  }
}

const explanations: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found (DNS lookup failed)",
  EHOSTUNREACH: "host unreachable",
  ETIMEDOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed by the server",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  ERR_HTTP2_ERROR: "the port does not speak HTTP/2",
  ERR_HTTP2_SESSION_ERROR: "the port does not speak HTTP/2",
  ERR_HTTP2_STREAM_ERROR: "the HTTP/2 stream failed",
  ERR_INVALID_URL: "not a valid URL",
};

function describeCause(err: unknown): string {
  let e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; depth < 5 && e?.cause !== undefined; depth++) {
    e = e.cause as typeof e;
  }
  if (e?.name === "TimeoutError") {
    return "no answer within the timeout";
  }
  const code = typeof e?.code === "string" ? e.code : undefined;
  const explained = code === undefined ? undefined : explanations[code];
  if (explained !== undefined) {
    return `${explained} (${code})`;
  }
  const message = typeof e?.message === "string" ? e.message.split("\n")[0] : String(err);
  return code === undefined ? (message ?? "failed") : `${message} (${code})`;
}
