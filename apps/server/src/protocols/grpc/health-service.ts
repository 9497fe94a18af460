import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "@tensorwire/proto/health";
import type { DataPlane } from "../../core/data-plane.js";

/**
 * How often a `Watch` call looks at readiness. Readiness is a function of the data plane (models
 * loaded, the server not draining) with no change event, so a watch polls it; 250 ms keeps a
 * drain's NOT_SERVING well inside a load balancer's reaction time and costs one call per tick.
 */
const watchEveryMs = 250;

/**
 * gRPC's health service (`grpc.health.v1.Health`, gRPC's health-checking protocol): every served
 * service, and "" for the server as a whole, is SERVING when the server is ready and NOT_SERVING
 * otherwise, from the readiness OIP's ServerReady and REST `/v2/health/ready` answer (false while
 * models load or fail, and while the server drains). `names` lists the served services' names,
 * read at each call. Check answers NOT_FOUND for an unknown name; Watch answers SERVICE_UNKNOWN
 * and keeps the call open, as the protocol asks; List answers every name.
 */
export function registerHealth(
  router: ConnectRouter,
  dataPlane: DataPlane,
  names: () => ReadonlySet<string>,
): void {
  const status = () => (dataPlane.serverReady() ? Status.SERVING : Status.NOT_SERVING);
  const known = (service: string) => service === "" || names().has(service);
  router.service(Health, {
    check(req) {
      if (!known(req.service)) {
        throw new ConnectError(`unknown service '${req.service}'`, Code.NotFound);
      }
      return { status: status() };
    },
    list() {
      const now = { status: status() };
      return { statuses: Object.fromEntries(["", ...names()].map((name) => [name, now])) };
    },
    async *watch(req, context) {
      if (!known(req.service)) {
        // The set of served services never changes while the server runs: the name stays unknown.
        yield { status: Status.SERVICE_UNKNOWN };
        if (!context.signal.aborted) {
          await once(context.signal, "abort");
        }
        return;
      }
      let last = status();
      yield { status: last };
      while (!context.signal.aborted) {
        try {
          await sleep(watchEveryMs, undefined, { signal: context.signal });
        } catch {
          return;
        }
        const now = status();
        if (now !== last) {
          last = now;
          yield { status: now };
        }
      }
    },
  });
}
