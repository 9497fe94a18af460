import type { Tensor } from "@tensorwire/codec";
import { encodeRestInferRequest, type RestTensor } from "@tensorwire/codec/rest";
import type { PipelineTrace } from "./run-pipeline.js";

/** One recorded pipeline request as JSON: tensors in OIP REST form (INT64 beyond 2^53 as bigint). */
export interface TraceJson {
  readonly requestId: string;
  /** ISO 8601. */
  readonly timestamp: string;
  readonly inputs: RestTensor[];
  readonly steps: {
    readonly name: string;
    readonly model: string;
    readonly inputs?: RestTensor[];
    readonly outputs?: RestTensor[];
    readonly skipped?: true;
    readonly error?: string;
  }[];
  readonly outputs?: RestTensor[];
  readonly error?: string;
}

export interface InspectJson {
  readonly pipeline: string;
  /** Newest first. */
  readonly requests: TraceJson[];
}

export function inspectToJson(pipeline: string, traces: readonly PipelineTrace[]): InspectJson {
  return { pipeline, requests: traces.map(traceToJson) };
}

function traceToJson(trace: PipelineTrace): TraceJson {
  return {
    requestId: trace.requestId,
    timestamp: new Date(trace.timestamp).toISOString(),
    inputs: tensors(trace.inputs),
    steps: [...trace.steps.values()].map((s) => ({
      name: s.step,
      model: s.model,
      ...(s.inputs === undefined ? {} : { inputs: tensors(s.inputs) }),
      ...(s.outputs === undefined ? {} : { outputs: tensors(s.outputs) }),
      ...(s.skipped ? { skipped: true as const } : {}),
      ...(s.error === undefined ? {} : { error: s.error }),
    })),
    ...(trace.outputs === undefined ? {} : { outputs: tensors(trace.outputs) }),
    ...(trace.error === undefined ? {} : { error: trace.error }),
  };
}

function tensors(list: readonly Tensor[]): RestTensor[] {
  return encodeRestInferRequest({ inputs: list }).inputs;
}
