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
   * A probe orchestrators call without credentials (health, readiness, metrics scrapes): public
   * unless `AuthOptions.publicHealth` is false. Every other route needs credentials when any are set.
   */
  readonly health?: boolean;
  /** Writes the response, or throws; a throw is answered in the protocol's error form. */
  readonly run: (call: RestCall) => Promise<void> | void;
}

/** A REST protocol: the paths it claims and its error form. */
export interface RestDialect {
  /** The route for a path (percent-decoded segments, the first one ""), or undefined when not this protocol's. */
  match(path: readonly string[], call: RestCall): RestRoute | undefined;
  /** The protocol's error response: status and JSON body. */
  error(err: TensorwireError): { readonly status: number; readonly body: unknown };
}
