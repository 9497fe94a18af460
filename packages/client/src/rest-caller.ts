import type { CallOptions } from "@connectrpc/connect";
import { type JsonValue, parseJsonText, stringifyJsonText } from "@tensorwire/codec";
import { createPlatformHttpClient } from "#platform";
import { type AttemptOutcome, startCall, withRetries } from "./call-budget.js";
import { type ClientOptions, requestHeaders } from "./client-options.js";
import { type HttpClient, type HttpResponse, TransportFailure } from "./http-client.js";
import { codeFromHttpStatus, InferenceError, serverMessageFromBody } from "./inference-error.js";

/** One REST exchange, relative to the client's base URL (or absolute, for graph endpoints). */
export interface RestCall {
  readonly method: "GET" | "POST";
  /** Appended to the base URL's path; "" is the base URL itself. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: readonly Uint8Array[];
  /** The request's own id, reported in errors when the server sends no `x-request-id`. */
  readonly requestId?: string | undefined;
  /** Statuses that are answers, not errors (health checks read 4xx/503 as "no"). */
  readonly accept?: (status: number) => boolean;
}

/**
 * The REST plumbing every REST client shares: URL building, headers and credentials, the call's
 * timeout, retries of what is safe to retry, logging, and turning error answers into
 * `InferenceError`s.
 */
export interface RestCaller {
  readonly baseUrl: string;
  call(call: RestCall, options?: CallOptions): Promise<HttpResponse>;
  /** A call whose 2xx body is JSON. */
  json(call: RestCall, options?: CallOptions): Promise<JsonValue>;
  close(): Promise<void>;
}

const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

/** A JSON request body, big integers written exactly. */
export function jsonBody(value: JsonValue): readonly Uint8Array[] {
  return [utf8Encoder.encode(stringifyJsonText(value))];
}

export function createRestCaller(
  baseUrl: string,
  options: ClientOptions,
  http: HttpClient = createPlatformHttpClient(options),
): RestCaller {
  const base = new URL(baseUrl);
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new InferenceError("invalid_argument", `base URL must be http or https, got '${baseUrl}'`);
  }
  // KServe's rule: the base path is kept as a prefix ("https://host/serving" + "/v2/...").
  const prefix = base.href.replace(/\/+$/, "");

  async function call(c: RestCall, callOptions: CallOptions = {}): Promise<HttpResponse> {
    const url = c.path === "" ? base.href : `${prefix}${c.path}`;
    const headers = await requestHeaders(options, callOptions.headers);
    for (const [name, value] of Object.entries(c.headers ?? {})) {
      if (!headers.has(name)) {
        headers.set(name, value);
      }
    }
    const requestId = headers.get("x-request-id") ?? c.requestId;
    const budget = startCall(callOptions.timeoutMs ?? options.timeoutMs, callOptions.signal);
    const what = `${c.method} ${url}`;
    try {
      const res = await withRetries(
        options,
        budget,
        { method: c.method, url, statusOf: (r) => r.status },
        async (): Promise<AttemptOutcome<HttpResponse>> => {
          let res: HttpResponse;
          try {
            res = await http.request({ method: c.method, url, headers, signal: budget.signal, body: c.body });
          } catch (err) {
            if (budget.signal.aborted) {
              throw budget.abortError(what, requestId);
            }
            const failure =
              err instanceof TransportFailure
                ? err
                : new TransportFailure("transfer", String(err), { cause: err });
            const error = new InferenceError("unavailable", `${what}: ${failure.message}`, {
              requestId,
              cause: err,
            });
            const safe = failure.kind === "connect" || (failure.kind === "transfer" && c.method === "GET");
            if (!safe) {
              throw error;
            }
            return { retry: error };
          }
          if (c.accept?.(res.status) || (res.status >= 200 && res.status < 300)) {
            return { done: res };
          }
          const error = errorFromResponse(res, what, requestId);
          if (res.status === 502 || res.status === 503) {
            return { retry: error, retryAfterMs: retryAfterMs(res.headers.get("retry-after")) };
          }
          throw error;
        },
      );
      callOptions.onHeader?.(res.headers);
      return res;
    } finally {
      budget.dispose();
    }
  }

  return {
    baseUrl: base.href,
    call,
    async json(c, callOptions) {
      const res = await call(c, callOptions);
      return parseJsonBody(res, `${c.method} ${c.path}`);
    },
    close: () => http.close(),
  };
}

/** A JSON answer; big integers stay exact (`parseJsonText`), as INT64 values may need. */
export function parseJsonBody(res: HttpResponse, what: string): JsonValue {
  const text = utf8.decode(res.body);
  try {
    return parseJsonText(text);
  } catch {
    throw new InferenceError("internal", `${what}: the server's answer is not JSON: ${text.slice(0, 200)}`, {
      status: res.status,
      requestId: res.headers.get("x-request-id") ?? undefined,
    });
  }
}

export function errorFromResponse(
  res: HttpResponse,
  what: string,
  requestId: string | undefined,
): InferenceError {
  const serverMessage = serverMessageFromBody(res.body);
  return new InferenceError(
    codeFromHttpStatus(res.status),
    `${serverMessage ?? "no error message"} (HTTP ${res.status} from ${what})`,
    { status: res.status, serverMessage, requestId: res.headers.get("x-request-id") ?? requestId },
  );
}

/** `Retry-After` in seconds (the HTTP-date form is rare from model servers and ignored). */
function retryAfterMs(value: string | null): number | undefined {
  const seconds = value === null ? Number.NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
