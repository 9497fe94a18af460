import { hash, timingSafeEqual } from "node:crypto";
import { TensorwireError } from "@tensorwire/codec";

/**
 * The one credential check of the server. OIP REST, every dialect's routes and the gRPC/Connect
 * interceptor all call the function `createAuthorize` returns, so a surface cannot be forgotten.
 */

/** The credentials clients must send; with none set, every request is accepted. */
export interface AuthOptions {
  /** A bearer token clients send as `Authorization: Bearer <token>` (Wallaroo, KServe). Default: none. */
  readonly authToken: string | undefined;
  /**
   * An API key clients send as `Authorization: ApiKey <key>` (Hopsworks) or `X-API-Key: <key>`.
   * Default: none. With both credentials set, either one is accepted.
   */
  readonly apiKey: string | undefined;
  /**
   * Health probes answer without credentials: OIP live/ready, KServe `GET /`, Seldon
   * `/health/ping` and `/health/status`, gRPC ServerLive/ServerReady and `grpc.health.v1.Health`.
   * Default true, because orchestrator probes (kubelet) carry no credentials.
   */
  readonly publicHealth: boolean;
  /**
   * `GET /metrics` answers without credentials. Default false: the scrape names every model and
   * its traffic, so it needs credentials like any other route unless the operator opens it.
   */
  readonly metricsPublic: boolean;
}

/**
 * What a route or RPC is, for the credential check: a health probe, the metrics scrape, or
 * (undefined) anything else, which always needs credentials when some are configured.
 */
export type PublicKind = "health" | "metrics";

/** How the caller's headers are read: REST and gRPC keep them differently. */
export type HeaderLookup = (name: string) => string | undefined;

/** Undefined when the call may proceed; otherwise the error to answer (code unauthenticated). */
export type Authorize = (header: HeaderLookup, kind: PublicKind | undefined) => TensorwireError | undefined;

/** The `WWW-Authenticate` challenge REST 401 responses carry (RFC 9110 §11.6.1 requires one). */
export const authChallenge = 'Bearer realm="tensorwire"';

const apiKeyHeader = "x-api-key";

/** Undefined when no credential is configured: then nothing is checked. */
export function createAuthorize(options: Partial<AuthOptions> = {}): Authorize | undefined {
  if (!hasCredentials(options)) {
    return undefined;
  }
  const token = options.authToken === undefined ? undefined : digest(options.authToken);
  const key = options.apiKey === undefined ? undefined : digest(options.apiKey);
  const publicHealth = options.publicHealth ?? true;
  const metricsPublic = options.metricsPublic ?? false;
  const expected = [
    ...(token === undefined ? [] : ["'Authorization: Bearer <token>'"]),
    ...(key === undefined ? [] : ["'Authorization: ApiKey <key>'", `'X-API-Key: <key>'`]),
  ].join(" or ");

  return (header, kind) => {
    if ((kind === "health" && publicHealth) || (kind === "metrics" && metricsPublic)) {
      return undefined;
    }
    const authorization = header("authorization")?.trim();
    const headerKey = header(apiKeyHeader)?.trim();
    if (authorization === undefined && headerKey === undefined) {
      return denied(`missing credentials: send ${expected}`);
    }
    if (headerKey !== undefined && key !== undefined && matches(headerKey, key)) {
      return undefined;
    }
    if (authorization !== undefined) {
      const space = authorization.indexOf(" ");
      const scheme = (space < 0 ? authorization : authorization.slice(0, space)).toLowerCase();
      const credential = space < 0 ? "" : authorization.slice(space + 1).trim();
      const want = scheme === "bearer" ? token : scheme === "apikey" ? key : undefined;
      if (want === undefined) {
        return denied(`unsupported Authorization scheme '${scheme}': send ${expected}`);
      }
      if (matches(credential, want)) {
        return undefined;
      }
    }
    return denied("invalid credentials: the token or API key is not accepted");
  };
}

/**
 * Digests have one length, so the comparison is constant-time whatever the caller sends. The
 * one-shot `hash` costs less than a `createHash` object per call (this runs on every request,
 * the fast gRPC path's included).
 */
function digest(secret: string): Buffer {
  if (secret === "") {
    throw new TensorwireError("invalid_argument", "an empty auth token or API key would accept anyone");
  }
  return hash("sha256", secret, "buffer");
}

function matches(sent: string, want: Buffer): boolean {
  return timingSafeEqual(digest(sent === "" ? "\0" : sent), want);
}

function denied(message: string): TensorwireError {
  return new TensorwireError("unauthenticated", message, { field: "Authorization" });
}

/** True when a token or key is configured, so every surface must check credentials. */
export function hasCredentials(options: Partial<AuthOptions>): boolean {
  return options.authToken !== undefined || options.apiKey !== undefined;
}
