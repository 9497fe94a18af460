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
  /** True while the process serves requests at all (the liveness probe). */
  serverLive(): boolean;
  /** True only while every model that should be loaded is loaded and the server is not draining. */
  serverReady(): boolean;
  /** The server's name, version and protocol extensions. */
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
  /** The model repository's models and their states; `readyOnly` keeps the ready ones. */
  repositoryIndex(options: { readyOnly: boolean }): RepositoryIndexEntry[];
  /** Loads (or reloads) a model from the repository; explicit control mode only. */
  repositoryLoad(name: string, parameters?: Parameters): Promise<void>;
  /** Unloads a model; explicit control mode only. */
  repositoryUnload(name: string, parameters?: Parameters): Promise<void>;
  /** Triton's statistics extension; no name means every model, no version every version. */
  statistics(model?: Partial<ModelRef>): ModelStatistics[];
}

/** `DataPlane.describe` of a model or a pipeline. */
export type TargetDescription = ModelDescription | PipelineDescription;

/** The ready model version a ref selects, with what its config declares beyond its tensors. */
export interface ModelDescription {
  /** A model. */
  readonly kind: "model";
  /** The model's name. */
  readonly name: string;
  /** The ready version selected. */
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

/** A pipeline a ref selects. */
export interface PipelineDescription {
  /** A pipeline. */
  readonly kind: "pipeline";
  /** The pipeline's name. */
  readonly name: string;
  /** The version Seldon names in `x-pipeline-version`. */
  readonly version: string;
}

/** What a transport knows about an inference request that the data plane may need. */
export interface InferContext {
  /** The request id the response carries (the caller's x-request-id, else a generated XID). */
  readonly requestId: string;
  /** The protocol the request came in by, for logs and metrics. */
  readonly protocol: "rest" | "grpc" | "connect" | "grpc-web" | (string & {});
  /** Aborted when the client goes away or the request times out. */
  readonly signal?: AbortSignal;
}

/** A model's state in the repository extension's index, as Triton names them. */
export type ModelState = "UNKNOWN" | "READY" | "UNAVAILABLE" | "LOADING" | "UNLOADING";

/** One model of the repository index. */
export interface RepositoryIndexEntry {
  /** The model's name. */
  readonly name: string;
  /** Its version, when it has one loaded. */
  readonly version?: string;
  /** Its state. */
  readonly state: ModelState;
  /** Why it is in that state (e.g. a load error); "" when nothing to say. */
  readonly reason: string;
}

/** Cumulative count and total nanoseconds, as Triton's StatisticDuration. */
export interface Duration {
  /** How many times. */
  readonly count: number;
  /** Their total duration in nanoseconds. */
  readonly ns: number;
}

/** One model version's statistics, as Triton's statistics extension reports them. */
export interface ModelStatistics {
  /** The model's name. */
  readonly name: string;
  /** The version. */
  readonly version: string;
  /** Milliseconds since the epoch; 0 before the first inference. */
  readonly lastInference: number;
  /** Inferences run (a batch of n counts n). */
  readonly inferenceCount: number;
  /** Model executions (a batch counts once). */
  readonly executionCount: number;
  /** Time spent per phase, over every inference. */
  readonly inferenceStats: {
    /** Successful inferences, end to end. */
    readonly success: Duration;
    /** Failed inferences. */
    readonly fail: Duration;
    /** Waiting for the model. */
    readonly queue: Duration;
    /** Preparing the inputs. */
    readonly computeInput: Duration;
    /** Running the model. */
    readonly computeInfer: Duration;
    /** Preparing the outputs. */
    readonly computeOutput: Duration;
  };
  /** The same phases per batch size. */
  readonly batchStats: readonly {
    /** The batch size. */
    readonly batchSize: number;
    /** Preparing the inputs. */
    readonly computeInput: Duration;
    /** Running the model. */
    readonly computeInfer: Duration;
    /** Preparing the outputs. */
    readonly computeOutput: Duration;
  }[];
}
