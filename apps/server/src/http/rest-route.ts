import type { OutgoingHttpHeaders } from "node:http";
import type { TensorwireError } from "@tensorwire/codec";
import type { NodeServerRequest, NodeServerResponse } from "./node-types.js";

/** The one route type of every REST protocol; `createRestRouter` runs them. */

/** The methods REST routes answer; HEAD only where a route lists it. */
export type RestMethod = "GET" | "POST" | "HEAD";

/** One REST request as a route sees it. */
export interface RestCall {
  readonly req: NodeServerRequest;
  readonly res: NodeServerResponse;
  /** Response headers so far: the echoed `x-` headers, then the route's own. */
  readonly headers: OutgoingHttpHeaders;
  /** The query string, parsed when first read. */
  readonly query: URLSearchParams;
  /** The largest body the route may read (`RestRouterOptions.maxInputSize`). */
  readonly maxInputSize: number;
}

/** What a path does: the one route type of every REST protocol. */
export interface RestRoute {
  readonly methods: readonly RestMethod[];
  /**
   * A probe orchestrators call without credentials (health, readiness): public unless
   * `AuthOptions.publicHealth` is false. Every other route needs credentials when any are set.
   */
  readonly health?: boolean;
  /** The Prometheus scrape: public only with `AuthOptions.metricsPublic`. */
  readonly metrics?: boolean;
  /** Writes the response, or throws; a throw is answered in the protocol's error form. */
  readonly run: (call: RestCall) => Promise<void> | void;
}

/** A REST protocol: the paths it claims and its error form. */
export interface RestDialect {
  /**
   * One sample path (names filled in, e.g. `/v2/models/iris/infer`) for each form of path `match`
   * claims: the route listing (`RunningServer.routes`) reads them, and the test that every route
   * but the public probes asks for credentials requests each one. A new form of path adds its sample.
   */
  readonly paths: readonly string[];
  /**
   * The route for a path (percent-decoded segments, the first one ""), or undefined when not this
   * protocol's. A function of the path alone, so that the route listing can ask it too.
   */
  match(path: readonly string[]): RestRoute | undefined;
  /** The protocol's error response: status and JSON body. */
  error(err: TensorwireError): { readonly status: number; readonly body: unknown };
}
