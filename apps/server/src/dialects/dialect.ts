import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import type { TensorwireError } from "@tensorwire/codec";
import type { DataPlane, ModelRef } from "../core/data-plane.js";
import type { ExplainerConfig, ValidationConfig } from "../repository/model-config.js";
import type { RestCall } from "./rest-kit.js";

/**
 * A wire dialect: another protocol over the one data plane. A dialect claims REST paths, registers
 * Connect services, or both; `dialects/index.ts` lists them, and nothing else names one.
 */
export interface Dialect {
  readonly name: string;
  readonly rest?: RestDialect;
  /** Registers the dialect's services on the shared router; returns them for gRPC reflection. */
  readonly services?: (router: ConnectRouter) => readonly DescService[];
}

export type DialectFactory = (deps: DialectDeps) => Dialect;

export interface RestDialect {
  /** The route for a path (decoded segments, first one ""), or undefined when the path is not this dialect's. */
  match(path: readonly string[], call: RestCall): RestRoute | undefined;
  /** The dialect's error response: status and JSON body. */
  error(err: TensorwireError): { readonly status: number; readonly body: unknown };
}

export interface RestRoute {
  readonly methods: readonly ("GET" | "POST")[];
  /** A health probe, reachable without credentials when `AuthOptions.publicHealth` is on. */
  readonly health?: boolean;
  /** Writes the response, or throws; a throw is answered with the dialect's error form. */
  readonly run: (call: RestCall) => Promise<void> | void;
}

export type V1Dialect = "auto" | "kserve" | "tfserving";

export interface DialectOptions {
  /**
   * Seldon Core v1 serves one graph per deployment, so its paths name no model. The model they
   * reach when neither the `/seldon/<namespace>/<model>/` prefix, the `seldon-model` header nor the
   * gRPC `seldon` metadata names one. Default: the only model when exactly one is served, else "iris".
   */
  readonly seldonV1Model: string | undefined;
  /**
   * Who answers the paths KServe V1 and TF-Serving share (`GET /v1/models/{m}`, `:predict`).
   * Default "auto": the request's shape decides (see dialects/README.md).
   */
  readonly v1Dialect: V1Dialect;
}

export const v1Dialects: readonly V1Dialect[] = ["auto", "kserve", "tfserving"];

export function makeDialectOptions(options: Partial<DialectOptions> = {}): DialectOptions {
  return { seldonV1Model: options.seldonV1Model, v1Dialect: options.v1Dialect ?? "auto" };
}

/** What the server gives every dialect. */
export interface DialectDeps {
  readonly dataPlane: DataPlane;
  readonly options: DialectOptions;
  /** What a model's config declares beyond its tensors; undefined for an unknown or unloaded model. */
  readonly modelExtras: (model: ModelRef) => ModelExtras | undefined;
}

/** The per-model config facts dialects act on (a loaded model's binding carries them). */
export interface ModelExtras {
  /** Wallaroo anomaly rules. */
  readonly validations: readonly ValidationConfig[];
  /** KServe V1 `:explain`'s mock explainer. */
  readonly explainer?: ExplainerConfig;
}
