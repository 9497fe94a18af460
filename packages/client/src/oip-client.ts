import type { CallOptions } from "@connectrpc/connect";
import type { Parameters, RequestedOutput, ServerMetadata } from "@tensorwire/codec";
import { type ClientOptions, makeClientOptions } from "./client-options.js";
import type { InferInput } from "./infer-input.js";
import type { InferResult } from "./infer-result.js";

/** What a server says about itself; the codec's type, shared with the server. */
export type { ServerMetadata };

/** Options of one call that addresses a model version. */
export interface VersionOptions extends CallOptions {
  /** Default: the server's choice of version. */
  readonly modelVersion?: string;
}

/** Options of one inference call. */
export interface InferOptions extends VersionOptions {
  /** Outputs to return (see `requestedOutput`). Default: all, with the server's defaults. */
  readonly outputs?: readonly RequestedOutput[];
  /** The OIP request `id`, echoed in the response. */
  readonly id?: string;
  /** Request parameters. */
  readonly parameters?: Parameters;
}

export interface TensorMetadata {
  readonly name: string;
  readonly datatype: string;
  /** -1 marks a variable dimension. */
  readonly shape: readonly number[];
}

export interface ModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

export interface RepositoryIndexEntry {
  readonly name: string;
  readonly version: string | undefined;
  /** READY, UNAVAILABLE, LOADING, UNLOADING or UNKNOWN (Triton's states; free text on gRPC). */
  readonly state: string;
  readonly reason: string | undefined;
}

/** A cumulative count and its total time. */
export interface StatisticDuration {
  readonly count: number;
  readonly ns: number;
}

/** Triton's statistics extension, reduced to what MLServer, Triton and tensorwire all report. */
export interface ModelStatistics {
  readonly name: string;
  readonly version: string;
  /** Milliseconds since the epoch. */
  readonly lastInference: number;
  readonly inferenceCount: number;
  readonly executionCount: number;
  /** success, fail, queue, compute_input, compute_infer, compute_output, ... */
  readonly inferenceStats: Readonly<Record<string, StatisticDuration>>;
}

/**
 * The Open Inference Protocol client, one API over REST (`createOipRestClient`) and gRPC, Connect
 * or gRPC-Web (`createOipGrpcClient`). Every method's last argument extends Connect's
 * `CallOptions` (`headers`, `signal`, `timeoutMs`, `onHeader`).
 */
export interface OipClient {
  isServerLive(options?: CallOptions): Promise<boolean>;
  isServerReady(options?: CallOptions): Promise<boolean>;
  isModelReady(model: string, options?: VersionOptions): Promise<boolean>;
  serverMetadata(options?: CallOptions): Promise<ServerMetadata>;
  modelMetadata(model: string, options?: VersionOptions): Promise<ModelMetadata>;
  infer(model: string, inputs: readonly InferInput[], options?: InferOptions): Promise<InferResult>;
  /** The model repository (extension); `ready` lists only ready models. */
  repositoryIndex(options?: CallOptions & { readonly ready?: boolean }): Promise<RepositoryIndexEntry[]>;
  loadModel(model: string, options?: CallOptions): Promise<void>;
  unloadModel(model: string, options?: CallOptions): Promise<void>;
  /** Statistics of one model, or of all without a name. */
  modelStatistics(model?: string, options?: VersionOptions): Promise<ModelStatistics[]>;
  /** Closes the client's connections. */
  close(): Promise<void>;
}

/** Options of the OIP clients, on top of the shared `ClientOptions`. */
export interface OipClientOptions extends ClientOptions {
  /**
   * REST: send inputs and ask for outputs as binary data (Triton's binary tensor data extension).
   * Default false: JSON reaches every OIP server, binary needs the extension (Triton, KServe,
   * tensorwire). An input's or requested output's own `binary` wins.
   */
  readonly binaryData: boolean;
  /**
   * gRPC: send inputs as `raw_input_contents` (true) or typed `contents` (false). Default true:
   * the compact form, and the only one for FP16. If any input says `binary: true` (or FP16), all
   * go raw, as the protocol forbids mixing.
   */
  readonly rawContents: boolean;
  /**
   * Seldon Core v2 routing: send `seldon-model: <model>` with every model call, so a pipeline is
   * reached as "<name>.pipeline". Default false.
   */
  readonly seldonRouting: boolean;
}

/** The Seldon v2 address of a pipeline. */
export function seldonPipeline(name: string): string {
  return `${name}.pipeline`;
}

export function makeOipClientOptions(options: Partial<OipClientOptions> = {}): OipClientOptions {
  return {
    ...makeClientOptions(options),
    binaryData: options.binaryData ?? false,
    rawContents: options.rawContents ?? true,
    seldonRouting: options.seldonRouting ?? false,
  };
}
