import type { Interceptor, StreamResponse } from "@connectrpc/connect";
import { isServerFault, toConnectError } from "../errors.js";
import {
  isEchoedHeader,
  pipelineVersionFor,
  requestIdFrom,
  requestIdHeader,
  seldonModelHeader,
} from "../seldon-headers.js";
import { requestIdKey } from "./inference-service.js";

/** RPCs whose responses carry `x-request-id` (Seldon: every inference response). */
const inferenceMethods = new Set(["ModelInfer", "ModelStreamInfer"]);

/**
 * The one gRPC/Connect boundary: every error leaves as a `ConnectError` whose code comes from the
 * codec's `errorStatus` table (converted here once, not per method), server faults are logged
 * with the RPC name, and Seldon's headers are applied: `x-` request metadata comes back as
 * response metadata, and inference calls get `x-request-id` (the caller's, else a new XID),
 * which the handler reads from the context values.
 */
export function createBoundaryInterceptor(): Interceptor {
  return (next) => async (req) => {
    let echo: [string, string][] | undefined;
    req.header.forEach((value, name) => {
      if (isEchoedHeader(name)) {
        echo ??= [];
        echo.push([name, value]);
      }
    });
    if (inferenceMethods.has(req.method.name)) {
      const id = requestIdFrom(req.header.get(requestIdHeader));
      req.contextValues.set(requestIdKey, id);
      echo ??= [];
      echo.push([requestIdHeader, id], ...pipelineVersionFor(req.header.get(seldonModelHeader)));
    }
    const rpc = `${req.service.typeName}/${req.method.name}`;
    const fail = (err: unknown) => {
      const ce = toConnectError(err);
      if (echo !== undefined) {
        for (const [name, value] of echo) {
          ce.metadata.set(name, value);
        }
      }
      if (isServerFault(ce)) {
        console.error(`tensorwire: rpc ${rpc} failed:`, err);
      }
      return ce;
    };
    try {
      const res = await next(req);
      if (echo !== undefined) {
        for (const [name, value] of echo) {
          res.header.set(name, value);
        }
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
