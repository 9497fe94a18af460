import { type CallOptions, Code, ConnectError, type Transport } from "@connectrpc/connect";
import { createPlatformTransport } from "#platform";
import { type AttemptOutcome, startCall, withRetries } from "./call-budget.js";
import { type ClientOptions, type ClientProtocol, requestHeaders } from "./client-options.js";
import { classifyTransportError } from "./http-client.js";
import { codeFromGrpcStatus, InferenceError } from "./inference-error.js";

/** Runs one RPC attempt with the call's options (headers, signal, remaining deadline). */
export type Rpc = <T>(
  method: string,
  callOptions: CallOptions,
  extraHeaders: Record<string, string>,
  requestId: string | undefined,
  run: (o: CallOptions) => Promise<T>,
) => Promise<T>;

/**
 * The gRPC plumbing every Connect-based client shares: the client's headers and credentials, one
 * deadline across retries (sent to the server as grpc-timeout), retries on UNAVAILABLE, and
 * `ConnectError` → `InferenceError`.
 */
export function createRpcCaller(options: ClientOptions, service: string): Rpc {
  return async function rpc<T>(
    method: string,
    callOptions: CallOptions,
    extraHeaders: Record<string, string>,
    requestId: string | undefined,
    run: (o: CallOptions) => Promise<T>,
  ): Promise<T> {
    const headers = await requestHeaders(options, callOptions.headers);
    for (const [name, value] of Object.entries(extraHeaders)) {
      if (!headers.has(name)) {
        headers.set(name, value);
      }
    }
    const id = headers.get("x-request-id") ?? requestId;
    const budget = startCall(callOptions.timeoutMs ?? options.timeoutMs, callOptions.signal);
    const what = `/${service}/${method}`;
    try {
      return await withRetries(
        options,
        budget,
        // An answer is gRPC status OK (0); errors are logged with their own code.
        { method: "RPC", url: what, statusOf: () => 0 },
        async (): Promise<AttemptOutcome<T>> => {
          const remaining = budget.remainingMs();
          try {
            return {
              done: await run({
                ...callOptions,
                headers,
                signal: budget.signal,
                // The deadline travels to the server too (grpc-timeout), so it can give up in time.
                ...(Number.isFinite(remaining) ? { timeoutMs: Math.max(1, remaining) } : {}),
              }),
            };
          } catch (err) {
            if (budget.signal.aborted || budget.remainingMs() === 0) {
              throw budget.abortError(what, id);
            }
            const e = ConnectError.from(err);
            if (!e.isWireError) {
              // No answer from the server: the code Connect picked says little, the socket error more.
              const failure = classifyTransportError(e.cause ?? err);
              const error = new InferenceError("unavailable", `${what}: ${e.rawMessage}`, {
                requestId: id,
                cause: err,
              });
              if (failure.kind === "tls" || (failure.kind === "transfer" && e.code !== Code.Unavailable)) {
                throw error;
              }
              return { retry: error };
            }
            const error = new InferenceError(
              codeFromGrpcStatus(e.code),
              `${e.rawMessage} (gRPC ${Code[e.code]} from ${what})`,
              {
                status: e.code,
                serverMessage: e.rawMessage,
                requestId: e.metadata.get("x-request-id") ?? id,
                cause: err,
              },
            );
            // UNAVAILABLE means the server did not act on the call: gRPC's own retry rule (and KServe's).
            if (e.code === Code.Unavailable) {
              return { retry: error };
            }
            throw error;
          }
        },
      );
    } finally {
      budget.dispose();
    }
  };
}

/**
 * The Connect transport of a gRPC-family client: the caller's own, which the caller also closes,
 * or one the platform builds for `baseUrl` (connect-node in Node, connect-web in browsers).
 */
export function connectTransport(
  baseUrl: string,
  protocol: Exclude<ClientProtocol, "rest">,
  options: ClientOptions & { readonly transport: Transport | undefined },
): { transport: Transport; close(): void } {
  if (options.transport !== undefined) {
    return { transport: options.transport, close: () => {} };
  }
  return createPlatformTransport(protocol, baseUrl, options);
}
