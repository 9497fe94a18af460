import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import type { DataPlane } from "../core/data-plane.js";
import type { RestDialect } from "../http/rest-router.js";
import type { PipelineInspector } from "../pipeline/create-pipeline-data-plane.js";
import type { GrpcCalls } from "./grpc/grpc-calls.js";

/**
 * A protocol over the one data plane: OIP REST and gRPC, Seldon v1, KServe V1, TF-Serving,
 * Wallaroo. A dialect claims REST paths (routes of the one REST router), registers Connect
 * services on the one Connect router, or both; `protocols/index.ts` lists them, and nothing else
 * names one.
 */
export interface Dialect {
  readonly name: string;
  readonly rest?: RestDialect;
  /**
   * Imports the dialect's Connect side, which the server does at its first RPC: Connect and
   * protobuf are most of what a start would otherwise import, and a REST-only user never needs them.
   */
  readonly services?: () => Promise<DialectServices>;
}

/** Registers a dialect's services on the shared router; returns them for gRPC reflection. */
export type DialectServices = (router: ConnectRouter, grpc: GrpcCalls) => readonly DescService[];

export type DialectFactory = (deps: DialectDeps) => Dialect;

/** Who answers the `/v1/models/...` paths KServe V1 and TF-Serving share (see `DialectOptions.v1Dialect`). */
export type V1Dialect = "auto" | "kserve" | "tfserving";

/** How the protocol dialects answer, where servers differ. */
export interface DialectOptions {
  /**
   * Seldon Core v1 serves one graph per deployment, so its paths name no model. The model they
   * reach when neither the `/seldon/<namespace>/<model>/` prefix, the `seldon-model` header nor the
   * gRPC `seldon` metadata names one. Default: the only model when exactly one is served, else "iris".
   */
  readonly seldonV1Model: string | undefined;
  /**
   * Who answers the paths KServe V1 and TF-Serving share (`GET /v1/models/{m}`, `:predict`).
   * Default "auto": the request's shape decides (see protocols/README.md).
   */
  readonly v1Dialect: V1Dialect;
  /**
   * gRPC inference answers carry their tensors in `raw_output_contents` whatever the request used,
   * as Triton always answers (its explicit-content examples read nothing else). Default false:
   * raw contents in → raw out, typed in → typed out, as KServe answers. A model's config
   * (`grpcRawOutput`) overrides this for that model.
   */
  readonly grpcRawOutput: boolean;
  /**
   * The frames of `ModelStreamInfer`'s response stream: "triton" (default), Triton's
   * `ModelStreamInferResponse` wrapper, or "seldon", the bare `ModelInferResponse` Seldon Core 2's
   * and MLServer's proto declare (a failed request then ends the stream with its status, since a
   * bare response cannot carry an error). See README.md.
   */
  readonly streamInferFraming: StreamInferFraming;
}

/** `DialectOptions.streamInferFraming`. */
export type StreamInferFraming = "triton" | "seldon";

export const streamInferFramings: readonly StreamInferFraming[] = ["triton", "seldon"];

export const v1Dialects: readonly V1Dialect[] = ["auto", "kserve", "tfserving"];

export function makeDialectOptions(options: Partial<DialectOptions> = {}): DialectOptions {
  return {
    seldonV1Model: options.seldonV1Model,
    v1Dialect: options.v1Dialect ?? "auto",
    grpcRawOutput: options.grpcRawOutput ?? false,
    streamInferFraming: options.streamInferFraming ?? "triton",
  };
}

/**
 * What the server gives every dialect: the data plane (model extras such as explainers and
 * validations, and pipeline versions, come from its `describe`), and narrow ports for the rest.
 * Services get the per-call gRPC logic (`GrpcCalls`) when they are registered.
 */
export interface DialectDeps {
  readonly dataPlane: DataPlane;
  readonly options: DialectOptions;
  /** The recorded pipeline requests, for OIP REST's inspect endpoint; absent: no pipelines served. */
  readonly pipelines: PipelineInspector | undefined;
}
