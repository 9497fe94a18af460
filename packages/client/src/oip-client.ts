import type { CallOptions, Transport } from "@connectrpc/connect";
import type { ModelMetadata, Parameters, RequestedOutput, ServerMetadata } from "@tensorwire/codec";
import type { ClientOptions, ClientProtocol } from "./client-options.js";
import type { InferInput } from "./infer-input.js";
import type { InferResult } from "./infer-result.js";

/**
 * Options of an OIP call that addresses a model, at a version or the server's choice.
 *
 * @example
 * const ready = await client.isModelReady("iris", { modelVersion: "2", timeoutMs: 1000 });
 */
export interface OipModelCallOptions extends CallOptions {
  /** The model version. Default: the server's choice of version. */
  readonly modelVersion?: string;
}

/**
 * Options of one OIP inference call.
 *
 * @example
 * const result = await client.infer("iris", [input], {
 *   id: "req-1",
 *   outputs: [requestedOutput("predict_proba", { binary: true })],
 *   headers: { "x-team": "ml" },
 * });
 */
export interface OipInferCallOptions extends OipModelCallOptions {
  /** Outputs to return (see `requestedOutput`). Default: all, with the server's defaults. */
  readonly outputs?: readonly RequestedOutput[];
  /** The OIP request `id`, echoed in the response. Default none. */
  readonly id?: string;
  /** Request parameters. Default none. */
  readonly parameters?: Parameters;
}

/**
 * Options of a repository index call.
 *
 * @example
 * const ready = await client.repositoryIndex({ ready: true });
 */
export interface OipRepositoryIndexCallOptions extends CallOptions {
  /** List only the models that are ready. Default false: every model the repository has. */
  readonly ready?: boolean;
}

/**
 * One model of the repository index (`POST /v2/repository/index`, gRPC `RepositoryIndex`).
 *
 * @example
 * for (const { name, version, state } of await client.repositoryIndex()) {
 *   console.log(name, version ?? "(all versions)", state);
 * }
 */
export interface RepositoryIndexEntry {
  /** The model's name. */
  readonly name: string;
  /** The version this entry describes, if the server names one. */
  readonly version: string | undefined;
  /** READY, UNAVAILABLE, LOADING, UNLOADING or UNKNOWN (Triton's states; free text on gRPC). */
  readonly state: string;
  /** Why the model is in that state, if the server says. */
  readonly reason: string | undefined;
}

/**
 * A cumulative count and its total time.
 *
 * @example
 * const { count, ns } = stats.inferenceStats.success ?? { count: 0, ns: 0 };
 * const meanMs = count === 0 ? 0 : ns / count / 1e6;
 */
export interface StatisticDuration {
  /** How many times. */
  readonly count: number;
  /** Their total duration in nanoseconds. */
  readonly ns: number;
}

/**
 * Triton's statistics extension, reduced to what MLServer, Triton and tensorwire all report.
 *
 * @example
 * const [stats] = await client.modelStatistics("iris");
 * console.log(stats?.inferenceCount, stats?.inferenceStats.success?.count);
 */
export interface ModelStatistics {
  /** The model's name. */
  readonly name: string;
  /** The model's version ("" when the server names none). */
  readonly version: string;
  /** Milliseconds since the epoch. */
  readonly lastInference: number;
  /** Inferences run (a batch of n counts n). */
  readonly inferenceCount: number;
  /** Model executions (a batch counts once). */
  readonly executionCount: number;
  /** success, fail, queue, compute_input, compute_infer, compute_output, ... */
  readonly inferenceStats: Readonly<Record<string, StatisticDuration>>;
}

/**
 * The Open Inference Protocol client: the same methods and results over REST, gRPC, Connect and
 * gRPC-Web (see `createOipClient`). Every method's last argument extends Connect's `CallOptions`
 * (`headers`, `signal`, `timeoutMs`, `onHeader`).
 *
 * @example
 * const client = createOipClient("http://localhost:8080");
 * if (await client.isModelReady("iris")) {
 *   const result = await client.infer("iris", [inferInput("input", [1, 4], "FP32", [[5.1, 3.5, 1.4, 0.2]])]);
 *   console.log(result.asTypedArray("predict", "INT64"));
 * }
 * await client.close();
 */
export interface OipClient {
  /** Whether the server is live; no answer throws (`unavailable`). */
  isServerLive(options?: CallOptions): Promise<boolean>;
  /** Whether the server is ready for inference requests. */
  isServerReady(options?: CallOptions): Promise<boolean>;
  /** Whether a model (at a version) is ready; an unknown model is not ready. */
  isModelReady(model: string, options?: OipModelCallOptions): Promise<boolean>;
  /** What the server says about itself. */
  serverMetadata(options?: CallOptions): Promise<ServerMetadata>;
  /** What the server says about a model: versions, platform, inputs and outputs. */
  modelMetadata(model: string, options?: OipModelCallOptions): Promise<ModelMetadata>;
  /** Runs an inference; the inputs are checked when built (`inferInput`), the outputs decoded. */
  infer(model: string, inputs: readonly InferInput[], options?: OipInferCallOptions): Promise<InferResult>;
  /** The model repository (extension). */
  repositoryIndex(options?: OipRepositoryIndexCallOptions): Promise<RepositoryIndexEntry[]>;
  /** Loads a model (repository extension; the server must be in explicit model control). */
  loadModel(model: string, options?: CallOptions): Promise<void>;
  /** Unloads a model (repository extension). */
  unloadModel(model: string, options?: CallOptions): Promise<void>;
  /** Statistics of one model, or of all without a name (statistics extension). */
  modelStatistics(model?: string, options?: OipModelCallOptions): Promise<ModelStatistics[]>;
  /** Closes the client's connections (a transport passed in `transport` stays the caller's). */
  close(): Promise<void>;
}

/**
 * Options of `createOipClient`, on top of the shared `ClientOptions`.
 *
 * @example
 * const client = createOipClient(url, { protocol: "rest", binaryData: true, retries: 0 });
 */
export interface OipClientOptions extends ClientOptions {
  /** The wire protocol. Default "rest", or, with `transport`, whatever the transport speaks. */
  readonly protocol: ClientProtocol;
  /**
   * gRPC, Connect or gRPC-Web: your own Connect transport (custom interceptors, a TLS agent, a
   * browser transport), used as it is; `baseUrl`, `http2` and `tls` are then the transport's
   * business, and `close()` leaves it open. Default: one built for `baseUrl` by the platform
   * (connect-node in Node, connect-web in browsers).
   */
  readonly transport: Transport | undefined;
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
   * reached as "<name>.pipeline" (see `seldonPipeline`). Default false.
   */
  readonly seldonRouting: boolean;
}

/**
 * The Seldon Core v2 address of a pipeline, for an OIP client with `seldonRouting`.
 *
 * @example
 * const seldon = createOipClient(url, { seldonRouting: true });
 * const result = await seldon.infer(seldonPipeline("tfsimples"), inputs);
 */
export function seldonPipeline(name: string): string {
  return `${name}.pipeline`;
}
