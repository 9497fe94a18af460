import type { ErrorCode, Tensor } from "@tensorwire/codec";
import type { TensorMetadata } from "../core/data-plane.js";
import type { ModelRuntimeContext, ModelRuntimeFactory } from "../core/model-runtime.js";
import type { InferenceWorkers } from "./inference-workers.js";

/** How to build one model version's runtime: the `kind` picks the factory in `runtimeFactories`. */
export type RuntimeSpec = OnnxRuntimeSpec | EchoRuntimeSpec | ConstantRuntimeSpec | ModuleRuntimeSpec;

export type RuntimeKind = RuntimeSpec["kind"];

export interface OnnxRuntimeSpec {
  readonly kind: "onnx";
  /** The ONNX model: its bytes, or the path of a file the repository has already vetted. */
  readonly model: Uint8Array | string;
  /** Runs the session on these worker threads instead of the event loop's. Default: in-thread. */
  readonly workers?: InferenceWorkers;
}

/** Returns each input as an output, renamed by `rename` (input name → output name). */
export interface EchoRuntimeSpec {
  readonly kind: "echo";
  readonly inputs: readonly TensorMetadata[];
  readonly rename: Readonly<Record<string, string>>;
}

/** Returns fixed outputs whatever the inputs. */
export interface ConstantRuntimeSpec {
  readonly kind: "constant";
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly Tensor[];
}

/**
 * A model written in TypeScript or JavaScript: a factory given in memory, or the default export of
 * a module. A module path is absolute and was checked against the operator's allowed roots before
 * this spec was built; `revision` changes with the file, so a reload after a change imports it anew
 * (an import is cached per URL).
 */
export interface ModuleRuntimeSpec {
  readonly kind: "module";
  readonly factory: ModelRuntimeFactory | { readonly module: string; readonly revision: string };
  readonly context: ModelRuntimeContext;
}

/** Behaviour added to any runtime, for testing clients against slow or failing models. */
export interface RuntimeModifiers {
  readonly latency?: LatencySpec;
  readonly errors?: ErrorInjectionSpec;
  readonly batching?: BatchingSpec;
}

/**
 * Adaptive batching: requests that arrive while a batch runs, or within `maxQueueDelayMs` of the
 * first, run as one along dimension 0 (models whose first dimension is -1 only).
 */
export interface BatchingSpec {
  /** Largest sum of dimension 0 in one run. Default 32. */
  readonly maxBatchSize: number;
  /** Longest a request waits for others when the model is idle. Default 1 ms. */
  readonly maxQueueDelayMs: number;
}

/** Extra time before each inference, in milliseconds; samples below 0 count as 0. */
export type LatencySpec =
  | { readonly distribution: "fixed"; readonly ms: number }
  | { readonly distribution: "uniform"; readonly minMs: number; readonly maxMs: number }
  | { readonly distribution: "normal"; readonly meanMs: number; readonly stdDevMs: number };

export interface ErrorInjectionSpec {
  /** Probability in [0, 1] that an inference fails instead of running. */
  readonly rate: number;
  /** The error code returned; transports map it to HTTP and gRPC statuses. Default "internal". */
  readonly code: ErrorCode;
  readonly message: string;
}
