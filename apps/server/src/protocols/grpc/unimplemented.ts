import { Code, ConnectError } from "@connectrpc/connect";
import { encodeEnvelope } from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus,
  endStreamFlag,
  endStreamToJson,
  errorToJsonBytes,
} from "@connectrpc/connect/protocol-connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import type { NodeHandlerFn } from "../../http/node-types.js";

/**
 * What answers an RPC path (`/<package>.<Service>/<Method>`) no registered service claims, in the
 * caller's protocol: gRPC and gRPC-Web get HTTP 200 trailers-only with `grpc-status: 12`
 * (UNIMPLEMENTED), as gRPC servers answer an unknown method; the Connect protocol gets its
 * `unimplemented` error (unary: HTTP 501 with the JSON error; streaming: an end-stream message).
 * Anything else (a REST client on a path that looks like an RPC) goes to `rest`, whose 404 it expects.
 */
export function unimplementedFallback(rest: NodeHandlerFn): NodeHandlerFn {
  return (req, res) => {
    const contentType = String(req.headers["content-type"] ?? "").toLowerCase();
    const protocol = rpcProtocol(contentType, req.headers["connect-protocol-version"] !== undefined, req.url);
    if (protocol === undefined) {
      rest(req, res);
      return;
    }
    // The body is never read: discard it rather than leave it in the flow-control window.
    req.resume();
    const path = (req.url ?? "").split("?")[0] ?? "";
    const error = new ConnectError(`${path} is not implemented`, Code.Unimplemented);
    if (protocol === "grpc") {
      // Headers set before an empty end() leave in one HEADERS frame with END_STREAM on HTTP/2,
      // the trailers-only form gRPC clients read (writeHead would send them without it).
      res.statusCode = 200;
      res.setHeader("content-type", contentType.split(";")[0] ?? contentType);
      for (const [name, value] of setTrailerStatus(new Headers(), error)) {
        res.setHeader(name, value);
      }
      res.end();
    } else if (protocol === "connect-stream") {
      const end = new TextEncoder().encode(JSON.stringify(endStreamToJson(new Headers(), error, undefined)));
      res.writeHead(200, { "content-type": contentType });
      res.end(encodeEnvelope(endStreamFlag, end));
    } else {
      res.writeHead(codeToHttpStatus(Code.Unimplemented), { "content-type": "application/json" });
      res.end(errorToJsonBytes(error, undefined));
    }
  };
}

function rpcProtocol(
  contentType: string,
  connectHeader: boolean,
  url: string | undefined,
): "grpc" | "connect-stream" | "connect-unary" | undefined {
  if (contentType.startsWith("application/grpc")) {
    return "grpc";
  }
  if (contentType.startsWith("application/connect+")) {
    return "connect-stream";
  }
  // Connect's unary POSTs carry a version header (connect-es always sends one) or a protobuf body
  // no REST route takes; its unary GETs say `connect=v1` in the query.
  if (
    connectHeader ||
    contentType.startsWith("application/proto") ||
    /[?&]connect=v1(?:&|$)/.test(url ?? "")
  ) {
    return "connect-unary";
  }
  return undefined;
}
