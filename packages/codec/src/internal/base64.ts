import { base64Decode as decode, base64Encode as encode } from "@bufbuild/protobuf/wire";
import { invalidArgument } from "../error.js";
import { describeValue } from "./describe-value.js";

// protobuf-es's decoder skips characters outside the alphabet and takes the URL-safe one too, so a
// typo would silently change the bytes: the text is checked against standard base64 first.
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Standard base64 (RFC 4648 §4), padding optional; anything else is an error, not skipped. */
export function base64Decode(
  text: unknown,
  where: { readonly tensor: string; readonly field: string },
  element?: number,
): Uint8Array {
  if (typeof text !== "string" || !base64Pattern.test(text)) {
    const which = element === undefined ? "" : ` element ${element}`;
    throw invalidArgument(
      `tensor '${where.tensor}': ${where.field}${which}: expected base64, got ${describeValue(text)}`,
      where,
    );
  }
  return decode(text);
}

/** Standard base64 with padding, as TF-Serving's `{"b64"}` and proto3 JSON `bytes` write it. */
export function base64Encode(bytes: Uint8Array): string {
  return encode(bytes, "std");
}
