import type {
  Datatype,
  InferRequest,
  InferResponse,
  ModelMetadata,
  Parameters,
  ServerMetadata,
} from "@tensorwire/codec";
import type { InferTarget, ModelRef } from "./infer-target.js";
import type { ExplainerConfig, ValidationConfig } from "./model-extras.js";

// Server and client share the metadata types; the server's modules keep importing them from here.
export type { ModelMetadata, ServerMetadata, TensorMetadata } from "@tensorwire/codec";

/**
 * The one data plane: REST, gRPC/Connect, every dialect and Kafka are thin adapters over this
 * interface, so a protocol adds an adapter and nothing else. Failures are thrown as
 * `TensorwireError` (from @tensorwire/codec) with a code; adapters map the code to HTTP or gRPC
 * status through `errorStatus` and nothing else.
 *
 * Models and pipelines are both targets (`InferTarget`); the model data plane
 * (`createModelDataPlane`) knows no pipeline and `createPipelineDataPlane` adds them.
 */
export interface DataPlane {
  serverLive(): boolean;
  /** True only while every model that should be loaded is loaded and the server is not draining. */
  serverReady(): boolean;
  serverMetadata(): ServerMetadata;
  /** Throws not_found for an unknown model, version or pipeline. */
  modelMetadata(target: InferTarget): ModelMetadata;
  /** False (never throws) for an unknown target, as Triton's and MLServer's ready endpoints answer. */
  modelReady(target: InferTarget): boolean;
  /**
   * Validates the request against the target's metadata, runs it, and returns only the requested
   * outputs. `context` carries transport facts the data plane may need (request id, abort).
   */
  infer(target: InferTarget, request: InferRequest, context: InferContext): Promise<InferResponse>;
  /**
   * What a target carries beyond its tensors, for the protocols that act on it: a model's
   * validations and explainer, a pipeline's version. Undefined (never throws) when the target is
   * unknown or not ready.
   */
  describe(target: InferTarget): TargetDescription | undefined;
  repositoryIndex(options: { readyOnly: boolean }): RepositoryIndexEntry[];
  repositoryLoad(name: string, parameters?: Parameters): Promise<void>;
  repositoryUnload(name: string, parameters?: Parameters): Promise<void>;
  /** Triton's statistics extension; no name means every model, no version every version. */
  statistics(model?: Partial<ModelRef>): ModelStatistics[];
}

/** `DataPlane.describe` of a model or a pipeline. */
export type TargetDescription = ModelDescription | PipelineDescription;

/** The ready model version a ref selects, with what its config declares beyond its tensors. */
export interface ModelDescription {
  readonly kind: "model";
  readonly name: string;
  readonly version: string;
  /** Wallaroo anomaly rules, evaluated by that dialect. */
  readonly validations: readonly ValidationConfig[];
  /** KServe V1 `:explain`'s mock explainer; absent: the model has none. */
  readonly explainer?: ExplainerConfig;
  /** Triton's max_batch_size (model configuration extension); 0: no batch dimension. */
  readonly maxBatchSize: number;
  /** Whether gRPC answers carry raw_output_contents; undefined: the server's choice. */
  readonly grpcRawOutput?: boolean;
  /** The TF-Serving signature names the model answers. */
  readonly signatures: readonly string[];
  /** Per input (the model's name): the other datatypes its config accepts and casts. */
  readonly acceptDatatypes: Readonly<Record<string, readonly Datatype[]>>;
}

export interface PipelineDescription {
  readonly kind: "pipeline";
  readonly name: string;
  /** The version Seldon names in `x-pipeline-version`. */
  readonly version: string;
}

export interface InferContext {
  /** The request id the response carries (the caller's x-request-id, else a generated XID). */
  readonly requestId: string;
  readonly protocol: "rest" | "grpc" | "connect" | "grpc-web" | (string & {});
  readonly signal?: AbortSignal;
}

export type ModelState = "UNKNOWN" | "READY" | "UNAVAILABLE" | "LOADING" | "UNLOADING";

export interface RepositoryIndexEntry {
  readonly name: string;
  readonly version?: string;
  readonly state: ModelState;
  readonly reason: string;
}

/** Cumulative count and total nanoseconds, as Triton's StatisticDuration. */
export interface Duration {
  readonly count: number;
  readonly ns: number;
}

export interface ModelStatistics {
  readonly name: string;
  readonly version: string;
  /** Milliseconds since the epoch; 0 before the first inference. */
  readonly lastInference: number;
  readonly inferenceCount: number;
  readonly executionCount: number;
  readonly inferenceStats: {
    readonly success: Duration;
    readonly fail: Duration;
    readonly queue: Duration;
    readonly computeInput: Duration;
    readonly computeInfer: Duration;
    readonly computeOutput: Duration;
  };
  readonly batchStats: readonly {
    readonly batchSize: number;
    readonly computeInput: Duration;
    readonly computeInfer: Duration;
    readonly computeOutput: Duration;
  }[];
}
