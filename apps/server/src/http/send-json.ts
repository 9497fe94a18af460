import { type JsonValue, stringifyJsonText, type TensorwireError } from "@tensorwire/codec";
import type { RestCall } from "./rest-route.js";

/** Writes JSON; `bigint` values (INT64 beyond 2^53) are exact, non-finite floats per `nonFiniteTokens`. */
export function sendJson(
  call: Pick<RestCall, "res" | "headers">,
  status: number,
  json: unknown,
  options: { readonly nonFiniteTokens?: boolean; readonly contentType?: string } = {},
): void {
  const text = stringifyJsonText(json as JsonValue, { nonFiniteTokens: options.nonFiniteTokens ?? false });
  sendBytes(call, status, Buffer.from(text), options.contentType ?? "application/json");
}

export function sendBytes(
  call: Pick<RestCall, "res" | "headers">,
  status: number,
  body: Uint8Array,
  contentType: string,
): void {
  call.res.writeHead(status, {
    ...call.headers,
    "content-type": contentType,
    "content-length": String(body.byteLength),
  });
  call.res.end(body);
}

/** `{"error": "<message>"}` with the status of the one code table: OIP, KServe, TF-Serving and Wallaroo alike. */
export function errorJson(err: TensorwireError): { readonly status: number; readonly body: unknown } {
  return { status: err.httpStatus, body: { error: err.message } };
}
