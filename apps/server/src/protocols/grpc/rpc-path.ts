/**
 * Whether a request URL is `/<package>.<Service>/<Method>` (query aside): the only form of path
 * Connect's router claims for gRPC, gRPC-Web and Connect, since every served service has a
 * package. A request that is not is REST's, without loading Connect.
 */
export function isRpcPath(url: string | undefined): boolean {
  if (url === undefined) {
    return false;
  }
  const q = url.indexOf("?");
  return rpcPath.test(q < 0 ? url : url.slice(0, q));
}

const rpcPath = /^\/[^/]+\.[^/]+\/[^/]+$/;
