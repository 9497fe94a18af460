import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { DataPlane } from "../core/data-plane.js";
import type { Authorize } from "../http/authorize.js";
import type { NodeHandlerFn, StreamHandler } from "../http/node-types.js";
import { createBoundaryInterceptor } from "../protocols/grpc/boundary-interceptor.js";
import { createGrpcCalls } from "../protocols/grpc/grpc-calls.js";
import { registerReflection } from "../protocols/grpc/reflection-service.js";
import { isRpcPath } from "../protocols/grpc/rpc-path.js";
import { type Dialect, loadDialectServices } from "../protocols/index.js";
import { createFastPath } from "../protocols/oip-grpc/fast-path.js";

/** The server's Connect side: imported at the first RPC (see `createRequestHandlers`). */
export interface ConnectHandlers {
  /** Connect's router over every dialect's services and reflection, REST's router behind it. */
  readonly handler: NodeHandlerFn;
  /** OIP's fast gRPC path, over the same per-call logic. */
  readonly fastPath: StreamHandler;
}

export interface ConnectHandlersDeps {
  readonly dataPlane: DataPlane;
  readonly authorize: Authorize | undefined;
  /** `DialectOptions.grpcRawOutput`. */
  readonly grpcRawOutput: boolean;
  readonly dialects: readonly Dialect[];
  /** What answers a path no service claims. */
  readonly fallback: NodeHandlerFn;
  readonly onServerFault: (rpc: string, err: unknown) => void;
}

export async function createConnectHandlers(deps: ConnectHandlersDeps): Promise<ConnectHandlers> {
  const { dataPlane, authorize, grpcRawOutput, onServerFault } = deps;
  const grpc = createGrpcCalls({ dataPlane, authorize, grpcRawOutput, onServerFault });
  const registerServices = await loadDialectServices(deps.dialects);
  const handler = connectNodeAdapter({
    routes(router) {
      registerReflection(router, registerServices(router, grpc));
      // Requests reach this router only on paths `isRpcPath` accepts: a service it would miss
      // must fail here, in every test that makes an RPC, not answer 404 in production.
      const missed = router.handlers.find((h) => !isRpcPath(h.requestPath));
      if (missed !== undefined) {
        throw new Error(`RPC path ${missed.requestPath} has no package: isRpcPath would send it to REST`);
      }
    },
    interceptors: [createBoundaryInterceptor(grpc)],
    fallback: deps.fallback,
  });
  return { handler, fastPath: createFastPath(dataPlane, grpc) };
}
