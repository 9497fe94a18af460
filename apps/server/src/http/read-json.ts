import { type JsonValue, parseJsonText, TensorwireError } from "@tensorwire/codec";
import { readBody } from "./read-body.js";
import type { RestCall } from "./rest-route.js";

/** The whole body, within the call's size limit. */
export function readRequestBody(call: RestCall): Promise<Buffer> {
  return readBody(call.req, call.maxInputSize);
}

/** The body as JSON; `nonFiniteTokens` accepts bare NaN/Infinity (TF-Serving, Python's json). */
export async function readJson(call: RestCall, nonFiniteTokens = false): Promise<JsonValue> {
  return parseJson((await readRequestBody(call)).toString("utf8"), nonFiniteTokens);
}

export function parseJson(text: string, nonFiniteTokens = false): JsonValue {
  if (text.trim() === "") {
    throw new TensorwireError("invalid_argument", "the request body is empty: expected JSON", {
      field: "body",
    });
  }
  return parseJsonText(text, { nonFiniteTokens });
}
