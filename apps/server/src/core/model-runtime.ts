import type { Tensor } from "@tensorwire/codec";
import type { TensorMetadata } from "./data-plane.js";

/** What a runtime reports about the model it serves, in the model's own tensor names. */
export interface RuntimeMetadata {
  /** Triton's platform string, e.g. "onnxruntime_onnx"; informational only. */
  readonly platform: string;
  /** The model's inputs. */
  readonly inputs: readonly TensorMetadata[];
  /** The model's outputs. */
  readonly outputs: readonly TensorMetadata[];
}

/** What the server passes to `ModelRuntime.infer` beside the inputs. */
export interface RuntimeInferOptions {
  /** The outputs to compute, by the model's own names; never empty. */
  readonly outputs: readonly string[];
  /** Aborted when the client goes away or its deadline passes. */
  readonly signal?: AbortSignal;
  /** Told how long the request queued and the size of the run it joined (batching runtimes). */
  readonly report?: (run: RunFacts) => void;
}

/** How one run went, as `RuntimeInferOptions.report` is told. */
export interface RunFacts {
  /** Nanoseconds the run waited before the model started it (batching, concurrency limit). */
  readonly queueNs: number;
  /** Dimension 0 of the run's inputs: the sum over the requests batched together. */
  readonly batchSize: number;
}

/**
 * One loaded model version: the server's extension point, MLServer's `MLModel` in TypeScript. The
 * server calls `load` once, then `metadata` and `infer` any number of times, and `unload` once no
 * request is in flight. It validates every request against `metadata()` before calling `infer`
 * (input names or their aliases, datatypes or accepted casts, shapes), so a runtime only sees
 * inputs with the right names, datatypes and shapes, and it checks what `infer` returns against
 * the outputs of `metadata()` for runtimes it did not build itself.
 *
 * `infer` is async even where the work is synchronous, so that moving inference to worker threads
 * or batching requests changes a runtime, not its callers. A `TensorwireError` thrown by `infer`
 * reaches the client with its code's status (`invalid_argument`: HTTP 400, gRPC INVALID_ARGUMENT);
 * any other error is an internal one.
 *
 * `defineModel` builds one from tensors and a function; implement this interface directly for
 * anything else (state per instance, a session to open and close) and register a
 * `ModelRuntimeFactory`.
 */
export interface ModelRuntime {
  /** Prepares the model (reads weights, opens a session); `metadata` is valid once this resolves. */
  load(): Promise<void>;
  /** The model's tensors, in its own names; the config's aliases and renames are applied on top. */
  metadata(): RuntimeMetadata;
  /** Computes at least the outputs `options.outputs` names from the validated inputs. */
  infer(inputs: readonly Tensor[], options: RuntimeInferOptions): Promise<readonly Tensor[]>;
  /** Frees resources; the server calls it only after in-flight requests on this instance have ended. */
  unload(): Promise<void>;
}

/** What a `ModelRuntimeFactory` is told about the model version it builds a runtime for. */
export interface ModelRuntimeContext {
  /** The model's name, as clients address it. */
  readonly name: string;
  /** The version being loaded: "1" for a model declared in memory, else the repository's version directory. */
  readonly version: string;
  /**
   * The model's directory in the repository (`<repo>/<model>`), where its files are; undefined for
   * a model declared in memory.
   */
  readonly directory: string | undefined;
}

/**
 * Builds the runtime of one model version; called once per load, so every load (and every
 * version) gets a fresh runtime. It is what a `ModelDeclaration`'s `runtime` takes and what a
 * `runtime: module` model's module exports as default; `defineModel` returns one.
 *
 * @example
 * ```ts
 * import type { ModelRuntime, ModelRuntimeFactory } from "@tensorwire/server";
 *
 * declare function openMyRuntime(name: string, directory: string | undefined): Promise<ModelRuntime>;
 *
 * const factory: ModelRuntimeFactory = ({ name, directory }) => openMyRuntime(name, directory);
 * ```
 */
export type ModelRuntimeFactory = (context: ModelRuntimeContext) => ModelRuntime | Promise<ModelRuntime>;
