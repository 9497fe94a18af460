import type { OutgoingHttpHeaders } from "node:http";
import type { TensorwireError } from "@tensorwire/codec";
import type { NodeServerRequest, NodeServerResponse } from "./node-types.js";

/**
 * What answering an error takes before the body, the same for OIP REST and every dialect: log a
 * server fault, give up on a response already started, and discard an unread request body.
 * Returns false when no error body may be written.
 */
export function prepareErrorResponse(
  call: {
    readonly req: NodeServerRequest;
    readonly res: NodeServerResponse;
    readonly headers: OutgoingHttpHeaders;
  },
  error: TensorwireError,
  cause: unknown,
): boolean {
  const { req, res } = call;
  if (error.code === "internal") {
    console.error(`tensorwire: ${req.method} ${req.url} failed:`, cause);
  }
  if (res.headersSent) {
    // Too late for a status: all the client can learn is that the response is cut short.
    res.destroy();
    return false;
  }
  if (!req.complete) {
    // A body not read (yet): discard it. An oversized one is not worth receiving at all, so an
    // HTTP/1.1 connection closes after this response instead (HTTP/2 just ends the stream).
    req.resume();
    if (error.code === "resource_exhausted" && req.httpVersionMajor === 1) {
      call.headers.connection = "close";
    }
  }
  return true;
}
