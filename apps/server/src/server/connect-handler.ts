import type { ConnectRouter } from "@connectrpc/connect";
import { compressionBrotli, connectNodeAdapter } from "@connectrpc/connect-node";
import { Health } from "@tensorwire/proto/health";
import type { DataPlane } from "../core/data-plane.js";
import type { Authorize } from "../http/authorize.js";
import type { NodeHandlerFn, StreamHandler } from "../http/node-types.js";
import { createBoundaryInterceptor } from "../protocols/grpc/boundary-interceptor.js";
import { createGrpcCalls, isHealthRpc } from "../protocols/grpc/grpc-calls.js";
import { registerHealth } from "../protocols/grpc/health-service.js";
import { limitedGzip } from "../protocols/grpc/message-limit.js";
import { registerReflection } from "../protocols/grpc/reflection-service.js";
import { isRpcPath } from "../protocols/grpc/rpc-path.js";
import { unimplementedFallback } from "../protocols/grpc/unimplemented.js";
import { type Dialect, loadDialectServices } from "../protocols/index.js";
import { createFastPath } from "../protocols/oip-grpc/fast-path.js";

/** The server's Connect side: imported at the first RPC (see `createRequestHandlers`). */
export interface ConnectHandlers {
  /** Connect's router over every dialect's services and reflection, REST's router behind it. */
  readonly handler: NodeHandlerFn;
  /** OIP's fast gRPC path, over the same per-call logic. */
  readonly fastPath: StreamHandler;
  /** Every RPC the router serves (reflection and health included), for the route listing. */
  readonly rpcRoutes: readonly RpcRouteListing[];
}

/** One RPC of the route listing. */
export interface RpcRouteListing {
  /** `/<package>.<Service>/<Method>` */
  readonly path: string;
  /** Public as a health probe (per `publicHealth`), or never. */
  readonly access: "health" | "credentials";
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
  /** `GrpcLimitOptions.grpcMaxMessageSize`. */
  readonly grpcMaxMessageSize: number;
}

export async function createConnectHandlers(deps: ConnectHandlersDeps): Promise<ConnectHandlers> {
  const { dataPlane, authorize, grpcRawOutput, onServerFault } = deps;
  const grpc = createGrpcCalls({ dataPlane, authorize, grpcRawOutput, onServerFault });
  const registerServices = await loadDialectServices(deps.dialects);
  let serviceNames: ReadonlySet<string> = new Set();
  let connectRoutes: ConnectRouter["handlers"] = [];
  const handler = connectNodeAdapter({
    routes(router) {
      const served = registerServices(router, grpc);
      registerHealth(router, dataPlane, () => serviceNames);
      registerReflection(router, [...served, Health]);
      serviceNames = new Set(router.handlers.map((h) => h.service.typeName));
      connectRoutes = router.handlers;
      // Requests reach this router only on paths `isRpcPath` accepts: a service it would miss
      // must fail here, in every test that makes an RPC, not answer 404 in production.
      const missed = router.handlers.find((h) => !isRpcPath(h.requestPath));
      if (missed !== undefined) {
        throw new Error(`RPC path ${missed.requestPath} has no package: isRpcPath would send it to REST`);
      }
    },
    interceptors: [createBoundaryInterceptor(grpc)],
    // connect checks an envelope's declared length before it allocates or reads the message, and
    // decompresses with this as zlib's maxOutputLength (connect 2.2's createEnvelopeDecoder and
    // compressionGzip/Brotli); its default, 4 GiB, would let one call hold 4 GiB.
    readMaxBytes: deps.grpcMaxMessageSize,
    acceptCompression: [limitedGzip, compressionBrotli],
    fallback: unimplementedFallback(deps.fallback),
  });
  const rpcRoutes = connectRoutes.map(
    (h): RpcRouteListing => ({
      path: h.requestPath,
      access: isHealthRpc(`${h.service.typeName}/${h.method.name}`) ? "health" : "credentials",
    }),
  );
  return {
    handler,
    rpcRoutes,
    fastPath: createFastPath(dataPlane, grpc, { grpcMaxMessageSize: deps.grpcMaxMessageSize }),
  };
}
