import type { OutgoingHttpHeaders } from "node:http";
import type { NodeServerRequest } from "../node-types.js";
import { isEchoedHeader } from "../seldon-headers.js";

/** A request header as one string: repeated headers joined as HTTP allows, absent as undefined. */
export function header(req: NodeServerRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The request's `x-` headers, which Seldon returns on every response. */
export function echoedHeaders(req: NodeServerRequest): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in req.headers) {
    if (isEchoedHeader(name)) {
      out[name] = req.headers[name];
    }
  }
  return out;
}
