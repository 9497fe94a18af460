import { base64Encode } from "@bufbuild/protobuf/wire";
import type { CallOptions, Transport } from "@connectrpc/connect";
import { InferenceError } from "./inference-error.js";

/**
 * Credentials sent with every request, as an HTTP header (REST) or gRPC metadata.
 *
 * @example
 * const client = createOipClient("https://models.example.com", {
 *   auth: { kind: "bearer", token: () => readTokenFile() },
 * });
 */
export type Auth =
  /** `Authorization: Bearer <token>`; a function is called per request, so a token can be refreshed. */
  | {
      /** Bearer token. */
      readonly kind: "bearer";
      /** The token, or a function returning it (called per request). */
      readonly token: string | (() => string | Promise<string>);
    }
  /** `Authorization: Basic base64(username:password)`. */
  | {
      /** HTTP Basic. */
      readonly kind: "basic";
      /** The user name. */
      readonly username: string;
      /** The password. */
      readonly password: string;
    }
  /**
   * An API key in a header. Defaults give Hopsworks' `Authorization: ApiKey <key>`; for an
   * `x-api-key: <key>` style set `header: "x-api-key", scheme: ""`.
   */
  | {
      /** API key. */
      readonly kind: "api-key";
      /** The key. */
      readonly key: string;
      /** The header that carries it. Default "authorization". */
      readonly header?: string;
      /** The word before the key in the header value; "" for none. Default "ApiKey". */
      readonly scheme?: string;
    };

/**
 * TLS settings for https URLs (Node; in a browser the browser decides).
 *
 * @example
 * const client = createOipClient("https://localhost:8443", {
 *   protocol: "grpc",
 *   tls: { ca: readFileSync("ca.pem", "utf8") },
 * });
 */
export interface TlsOptions {
  /** PEM CA certificate(s) to trust instead of the system store. Default: the system store. */
  readonly ca?: string | Uint8Array;
  /** PEM client certificate, for mutual TLS (with `key`). Default none. */
  readonly cert?: string | Uint8Array;
  /** PEM private key of `cert`. Default none. */
  readonly key?: string | Uint8Array;
  /**
   * Verify the server's certificate. Default true. false accepts any certificate: for a
   * development server only, as it removes protection against an impostor.
   */
  readonly verify?: boolean;
}

/**
 * One line of the request log (`ClientOptions.logger`): one per attempt, so retries show.
 *
 * @example
 * const client = createOipClient(url, {
 *   logger: (e) => console.log(`${e.method} ${e.url} #${e.attempt} ${e.status ?? e.error} ${e.durationMs} ms`),
 * });
 */
export interface LogEntry {
  /** The HTTP method, or "RPC" for gRPC, Connect and gRPC-Web calls. */
  readonly method: string;
  /** The URL (REST) or `/<service>/<method>` (RPC). */
  readonly url: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** HTTP status or gRPC code; absent when no answer arrived. */
  readonly status?: number;
  /** How long the attempt took. */
  readonly durationMs: number;
  /** Why the attempt failed when it got no answer (connection refused, timed out, ...). */
  readonly error?: string;
  /** Set when the client will try again after this many milliseconds. */
  readonly retryInMs?: number;
}

/**
 * The wire protocol of a dialect that has more than one (OIP, Seldon v1): `"rest"` (HTTP/1.1 JSON,
 * or HTTP/2 with `http2`), `"grpc"` (HTTP/2), or Connect's `"connect"` and `"grpc-web"`, which
 * browsers can speak too.
 *
 * @example
 * const protocol: ClientProtocol = typeof window === "undefined" ? "grpc" : "grpc-web";
 * const client = createOipClient(url, { protocol });
 */
export type ClientProtocol = "rest" | "grpc" | "connect" | "grpc-web";

const protocols: readonly ClientProtocol[] = ["rest", "grpc", "connect", "grpc-web"];

/**
 * The protocol a client speaks: the one asked for; else a given `transport` (gRPC family), else
 * REST. A transport with "rest" is a contradiction and an error.
 */
export function protocolOf(options: {
  readonly protocol?: ClientProtocol | undefined;
  readonly transport?: Transport | undefined;
}): ClientProtocol {
  const protocol = options.protocol ?? (options.transport === undefined ? "rest" : "grpc");
  if (!protocols.includes(protocol)) {
    throw new InferenceError(
      "invalid_argument",
      `protocol must be one of ${protocols.map((p) => `"${p}"`).join(", ")}, got ${JSON.stringify(protocol)}`,
    );
  }
  if (protocol === "rest" && options.transport !== undefined) {
    throw new InferenceError(
      "invalid_argument",
      'a Connect transport serves protocol "grpc", "connect" or "grpc-web", not "rest"',
    );
  }
  return protocol;
}

/**
 * Settings shared by every client (the KServe REST client's configuration surface); each
 * dialect's `<Dialect>ClientOptions` extends it. Constructors take any subset; the rest are the
 * defaults given here.
 *
 * @example
 * const options: Partial<ClientOptions> = { retries: 0, timeoutMs: 5_000, headers: { "x-team": "ml" } };
 * const oip = createOipClient(url, options);
 * const seldon = createSeldonV1Client(url, options);
 */
export interface ClientOptions {
  /**
   * Extra attempts after the first. Default 3 (KServe's). Only failures known to be safe to
   * repeat are retried: the connection could not be made (the request never left), the server
   * answered 502 or 503 (gRPC UNAVAILABLE), or a GET lost its connection. A 504 is not retried:
   * the model may still be running, and repeating it under load adds load.
   */
  readonly retries: number;
  /** First backoff in milliseconds; doubles per retry, with full jitter. Default 100 (KServe gRPC's). */
  readonly retryBaseMs: number;
  /** Cap of one backoff, and of a `Retry-After` the client honours. Default 1000 (KServe gRPC's). */
  readonly retryMaxMs: number;
  /**
   * Milliseconds for a whole call, retries included; a call's `timeoutMs` overrides it. Default
   * 60000 (KServe's 60 s). `Infinity` waits for ever. Running out gives code `deadline_exceeded`.
   */
  readonly timeoutMs: number;
  /**
   * REST over HTTP/2: by ALPN on https, by prior knowledge (h2c) on http. Default false, as most
   * model servers' REST ports speak only HTTP/1.1. For Connect and gRPC-Web it picks HTTP/2 too;
   * gRPC always uses HTTP/2.
   */
  readonly http2: boolean;
  /** TLS settings for https URLs. Default: verify against the system's CAs. */
  readonly tls: TlsOptions;
  /** Credentials for every request. Default none. */
  readonly auth: Auth | undefined;
  /** Headers (gRPC metadata) for every request; a call's own headers win. Default none. */
  readonly headers: Readonly<Record<string, string>>;
  /** Called once per attempt (verbose logging); credentials are not passed. Default none. */
  readonly logger: ((entry: LogEntry) => void) | undefined;
}

/** The options with their defaults, merged in this one place. */
export function makeClientOptions(options: Partial<ClientOptions> = {}): ClientOptions {
  return {
    retries: options.retries ?? 3,
    retryBaseMs: options.retryBaseMs ?? 100,
    retryMaxMs: options.retryMaxMs ?? 1000,
    timeoutMs: options.timeoutMs ?? 60_000,
    http2: options.http2 ?? false,
    tls: options.tls ?? {},
    auth: options.auth,
    headers: options.headers ?? {},
    logger: options.logger,
  };
}

const utf8 = new TextEncoder();

/** The header that carries `auth`, or undefined without it. */
export async function authHeader(auth: Auth | undefined): Promise<[string, string] | undefined> {
  switch (auth?.kind) {
    case undefined:
      return undefined;
    case "bearer":
      return [
        "authorization",
        `Bearer ${typeof auth.token === "function" ? await auth.token() : auth.token}`,
      ];
    case "basic":
      return ["authorization", `Basic ${base64Encode(utf8.encode(`${auth.username}:${auth.password}`))}`];
    case "api-key": {
      const scheme = auth.scheme ?? "ApiKey";
      return [
        (auth.header ?? "authorization").toLowerCase(),
        scheme === "" ? auth.key : `${scheme} ${auth.key}`,
      ];
    }
  }
}

/**
 * The headers of one call: the client's, then credentials, then the call's own (which win).
 * Names are lower-case, as HTTP/2 and gRPC metadata require.
 */
export async function requestHeaders(
  options: ClientOptions,
  callHeaders: CallOptions["headers"],
): Promise<Headers> {
  const headers = new Headers(options.headers);
  const auth = await authHeader(options.auth);
  if (auth !== undefined) {
    headers.set(auth[0], auth[1]);
  }
  new Headers(callHeaders).forEach((value, name) => {
    headers.set(name, value);
  });
  return headers;
}
