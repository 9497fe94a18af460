import type { OutgoingHttpHeaders } from "node:http";
import type { NodeServerRequest } from "./node-types.js";

/** A request header as one string: repeated headers joined as HTTP allows, absent as undefined. */
export function header(req: NodeServerRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The request's `x-` headers, which every REST response carries back (Seldon's behaviour). */
export function echoedHeaders(req: NodeServerRequest): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in req.headers) {
    if (isEchoedHeader(name)) {
      out[name] = req.headers[name];
    }
  }
  return out;
}

/** True for a header name Seldon copies back onto the response (`x-`, any case). */
export function isEchoedHeader(name: string): boolean {
  return name.length > 2 && (name.charCodeAt(0) | 0x20) === 0x78 && name.charCodeAt(1) === 0x2d;
}
