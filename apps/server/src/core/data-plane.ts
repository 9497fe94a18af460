import type {
  InferRequest,
  InferResponse,
  ModelMetadata,
  Parameters,
  ServerMetadata,
} from "@tensorwire/codec";

// Server and client share the metadata types; the server's modules keep importing them from here.
export type { ModelMetadata, ServerMetadata, TensorMetadata } from "@tensorwire/codec";

/**
 * The one data plane: REST, gRPC/Connect and every later dialect are thin adapters over this
 * interface, so a protocol adds an adapter and nothing else. Failures are thrown as
 * `TensorwireError` (from @tensorwire/codec) with a code; adapters map the code to HTTP or gRPC
 * status through `errorStatus` and nothing else.
 */
export interface DataPlane {
  serverLive(): boolean;
  /** True only while every model that should be loaded is loaded and the server is not draining. */
  serverReady(): boolean;
  serverMetadata(): ServerMetadata;
  /** Throws not_found for an unknown model or version. */
  modelMetadata(model: ModelRef): ModelMetadata;
  /** False (never throws) for an unknown model, as Triton's and MLServer's ready endpoints answer. */
  modelReady(model: ModelRef): boolean;
  /**
   * Validates the request against the model's metadata, runs it, and returns only the requested
   * outputs. `context` carries transport facts the core may need (request id, headers, abort).
   */
  infer(model: ModelRef, request: InferRequest, context: InferContext): Promise<InferResponse>;
  repositoryIndex(options: { readyOnly: boolean }): RepositoryIndexEntry[];
  repositoryLoad(name: string, parameters?: Parameters): Promise<void>;
  repositoryUnload(name: string, parameters?: Parameters): Promise<void>;
  /** Triton's statistics extension; no name means every model, no version every version. */
  statistics(model?: Partial<ModelRef>): ModelStatistics[];
}

export interface ModelRef {
  readonly name: string;
  /** Absent or empty: the model's default (latest ready) version. */
  readonly version?: string;
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
