import type { Tensor } from "@tensorwire/codec";
import type { TensorMetadata } from "./data-plane.js";

/** What a runtime reports about the model it serves, in the model's own tensor names. */
export interface RuntimeMetadata {
  /** Triton's platform string, e.g. "onnxruntime_onnx"; informational only. */
  readonly platform: string;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

export interface RuntimeInferOptions {
  /** The outputs to compute, by the model's own names; never empty. */
  readonly outputs: readonly string[];
  readonly signal?: AbortSignal;
  /** Told how long the request queued and the size of the run it joined (batching runtimes). */
  readonly report?: (run: RunFacts) => void;
}

export interface RunFacts {
  readonly queueNs: number;
  /** Dimension 0 of the run's inputs: the sum over the requests batched together. */
  readonly batchSize: number;
}

/**
 * One loaded model version. The registry validates inputs against `metadata()` before calling `infer`,
 * so a runtime only sees inputs with the right names, datatypes and shapes.
 *
 * `infer` is async even where the work is synchronous (onnxruntime-node's CPU `run`), so that moving
 * inference to worker threads or batching requests changes a runtime, not its callers.
 */
export interface ModelRuntime {
  /** Prepares the model (creates a session, imports a module); `metadata` is valid once this resolves. */
  load(): Promise<void>;
  metadata(): RuntimeMetadata;
  infer(inputs: readonly Tensor[], options: RuntimeInferOptions): Promise<readonly Tensor[]>;
  /** Frees resources; the core calls it only after in-flight requests on this instance have ended. */
  unload(): Promise<void>;
}
