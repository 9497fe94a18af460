import type { Interceptor, StreamResponse } from "@connectrpc/connect";
import type { ModelInferRequest } from "@tensorwire/proto/oip";
import { type GrpcCalls, requestIdKey, webCallHeaders } from "./grpc-calls.js";

/**
 * The one gRPC/Connect boundary of the connect path, over the request logic the fast path shares
 * (`GrpcCalls`): the call's echoed headers and request id (read by handlers from the context
 * values), then the credential check, then the handler; every error leaves as a `ConnectError`
 * with the status of the codec's `errorStatus` table (converted here once, not per method) and the
 * echoed headers, and server faults are logged with the RPC name.
 */
export function createBoundaryInterceptor(calls: GrpcCalls): Interceptor {
  return (next) => async (req) => {
    const headers = webCallHeaders(req.header);
    const rpc = `${req.service.typeName}/${req.method.name}`;
    // A unary inference request names its model in the message (a pipeline's answer says its version).
    const modelName = req.stream ? undefined : (req.message as Partial<ModelInferRequest>).modelName;
    const { requestId, echo } = calls.start(req.method.name, headers, modelName);
    if (requestId !== "") {
      req.contextValues.set(requestIdKey, requestId);
    }
    const fail = (err: unknown) => calls.failure(rpc, err, echo);
    try {
      calls.authorize(rpc, headers);
      const res = await next(req);
      for (const [name, value] of echo) {
        res.header.set(name, value);
      }
      if (res.stream) {
        return { ...res, message: convertErrors(res.message, fail) } satisfies StreamResponse;
      }
      return res;
    } catch (err) {
      throw fail(err);
    }
  };
}

async function* convertErrors<T>(
  messages: AsyncIterable<T>,
  fail: (err: unknown) => Error,
): AsyncIterable<T> {
  try {
    yield* messages;
  } catch (err) {
    throw fail(err);
  }
}
