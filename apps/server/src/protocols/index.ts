import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import type { RestDialect } from "../http/rest-router.js";
import type { Dialect, DialectDeps, DialectFactory } from "./dialect.js";
import { kserveV1 } from "./kserve-v1/index.js";
import { oipGrpc } from "./oip-grpc/inference-service.js";
import { oipRest } from "./oip-rest/index.js";
import { seldonV1 } from "./seldon-v1/index.js";
import { tfServing } from "./tf-serving/index.js";
import { wallaroo } from "./wallaroo/index.js";

/**
 * Every protocol, the one list the server reads. Adding one adds its folder and a line here. Each
 * claims paths no other claims (README.md has the table), OIP first; KServe V1 and TF-Serving
 * split `/v1/models/...` by `DialectOptions.v1Dialect`.
 */
export const dialectFactories: readonly DialectFactory[] = [
  oipRest,
  oipGrpc,
  seldonV1,
  kserveV1,
  tfServing,
  wallaroo,
];

/** Builds every dialect over `deps`; throws when two share a name. */
export function createDialects(deps: DialectDeps): Dialect[] {
  const dialects = dialectFactories.map((factory) => factory(deps));
  const names = new Set<string>();
  for (const { name } of dialects) {
    if (names.has(name)) {
      throw new Error(`dialect '${name}' is listed twice`);
    }
    names.add(name);
  }
  return dialects;
}

/** The dialects' REST sides, in list order, for the one REST router. */
export function restDialects(dialects: readonly Dialect[]): RestDialect[] {
  return dialects.flatMap((d) => (d.rest === undefined ? [] : [d.rest]));
}

/** Registers every dialect's Connect services; returns them for reflection. */
export function registerDialectServices(router: ConnectRouter, dialects: readonly Dialect[]): DescService[] {
  return dialects.flatMap((d) => [...(d.services?.(router) ?? [])]);
}

export {
  type Dialect,
  type DialectDeps,
  type DialectFactory,
  type DialectOptions,
  makeDialectOptions,
  type StreamInferFraming,
  streamInferFramings,
  type V1Dialect,
  v1Dialects,
} from "./dialect.js";
