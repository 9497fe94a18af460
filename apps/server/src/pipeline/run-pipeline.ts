import { type InferRequest, type InferResponse, type Tensor, TensorwireError } from "@tensorwire/codec";
import type { InferContext } from "../core/data-plane.js";
import type { JoinType, PipelineSpec, PipelineStep, TensorRef } from "./pipeline-spec.js";

/** Calls a step's model: the data plane in-process, or a Kafka round trip. */
export type StepCaller = (
  step: PipelineStep,
  request: InferRequest,
  context: InferContext,
) => Promise<InferResponse>;

/** What one request did, step by step; filled in as the steps run (inspect reads it). */
export interface PipelineTrace {
  readonly pipeline: string;
  readonly requestId: string;
  /** Milliseconds since the epoch when the request arrived. */
  readonly timestamp: number;
  readonly inputs: readonly Tensor[];
  /** In the order the steps started. */
  readonly steps: Map<string, StepTrace>;
  outputs: readonly Tensor[] | undefined;
  error: string | undefined;
}

export interface StepTrace {
  readonly step: string;
  readonly model: string;
  inputs: readonly Tensor[] | undefined;
  outputs: readonly Tensor[] | undefined;
  /** The step never ran: a join or trigger it waited for could not be met. */
  skipped: boolean;
  error: string | undefined;
}

/** A finished step's two sides, or undefined when it was skipped. */
type NodeResult = { readonly inputs: readonly Tensor[]; readonly outputs: readonly Tensor[] } | undefined;

export function createTrace(pipeline: string, requestId: string, inputs: readonly Tensor[]): PipelineTrace {
  return {
    pipeline,
    requestId,
    timestamp: Date.now(),
    inputs,
    steps: new Map(),
    outputs: undefined,
    error: undefined,
  };
}

/**
 * Runs a pipeline as a dataflow: every step starts as soon as its inputs join, so independent
 * steps run concurrently. Resolves with the `output` tensors once they join (other branches may
 * still be running; their traces fill in later), or, for a pipeline without `output`, once every
 * step has finished, with undefined.
 */
export async function runPipeline(
  pipeline: PipelineSpec,
  request: InferRequest,
  context: InferContext,
  call: StepCaller,
  trace: PipelineTrace,
): Promise<Tensor[] | undefined> {
  const pipelineInputs = request.inputs.map((t) =>
    rename(t, pipeline.inputTensorMap[`${pipeline.name}.inputs.${t.name}`]),
  );
  const stepsByName = new Map(pipeline.steps.map((s) => [s.name, s]));
  const nodes = new Map<string, Promise<NodeResult>>();
  nodes.set(pipeline.name, Promise.resolve({ inputs: pipelineInputs, outputs: [] }));

  const node = (name: string): Promise<NodeResult> => {
    let promise = nodes.get(name);
    if (promise === undefined) {
      promise = runStep(stepsByName.get(name) as PipelineStep);
      // Failures surface through whoever joins on the step; unjoined branches must not crash Node.
      promise.catch(() => {});
      nodes.set(name, promise);
    }
    return promise;
  };

  const refTensors = async (ref: TensorRef, tensorMap: Readonly<Record<string, string>>) => {
    const result = await node(ref.node);
    if (result === undefined) {
      return undefined;
    }
    const side = result[ref.side];
    const selected = ref.tensor === undefined ? side : side.filter((t) => t.name === ref.tensor);
    // A named tensor a model did not emit is how conditional routing switches a branch off.
    if (ref.tensor !== undefined && selected.length === 0) {
      return undefined;
    }
    return selected.map((t) => rename(t, tensorMap[`${ref.node}.${ref.side}.${t.name}`]));
  };

  const gather = async (
    refs: readonly TensorRef[],
    type: JoinType,
    windowMs: number,
    tensorMap: Readonly<Record<string, string>>,
    what: string,
  ): Promise<Tensor[] | undefined> => {
    const groups = await joinArrivals(
      refs.map((ref) => refTensors(ref, tensorMap)),
      type,
      windowMs,
    );
    return groups === undefined ? undefined : merge(groups, what);
  };

  const runStep = async (step: PipelineStep): Promise<NodeResult> => {
    const where = `pipeline '${pipeline.name}' step '${step.name}'`;
    const [inputs, triggered] = await Promise.all([
      gather(step.inputs, step.inputsJoinType, step.joinWindowMs, step.tensorMap, where),
      step.triggers.length === 0
        ? Promise.resolve(true)
        : gather(step.triggers, step.triggersJoinType, step.joinWindowMs, {}, where).then(
            (t) => t !== undefined,
          ),
    ]);
    const stepTrace: StepTrace = {
      step: step.name,
      model: step.model,
      inputs,
      outputs: undefined,
      skipped: inputs === undefined || !triggered,
      error: undefined,
    };
    trace.steps.set(step.name, stepTrace);
    if (inputs === undefined || !triggered) {
      return undefined;
    }
    try {
      const response = await call(step, { id: context.requestId, inputs }, context);
      stepTrace.outputs = response.outputs;
      return { inputs, outputs: response.outputs };
    } catch (err) {
      const cause = TensorwireError.from(err);
      stepTrace.error = cause.message;
      throw new TensorwireError(
        cause.code,
        `${where} (model '${step.model}'): ${cause.message}`,
        {},
        { cause },
      );
    }
  };

  try {
    for (const step of pipeline.steps) {
      node(step.name);
    }
    const { output } = pipeline;
    if (output === undefined) {
      await Promise.all(pipeline.steps.map((s) => node(s.name)));
      return undefined;
    }
    const tensors = await gather(
      output.steps,
      output.stepsJoin,
      output.joinWindowMs,
      output.tensorMap,
      `pipeline '${pipeline.name}' output`,
    );
    if (tensors === undefined) {
      throw new TensorwireError(
        "failed_precondition",
        `pipeline '${pipeline.name}' produced no output: the output's ${output.stepsJoin} join over ${output.steps.map((r) => r.text).join(", ")} was not met`,
      );
    }
    trace.outputs = tensors;
    return tensors;
  } catch (err) {
    trace.error = err instanceof Error ? err.message : String(err);
    throw err;
  }
}

/**
 * Joins arrivals (undefined: this input will never come):
 * - inner: all of them, or nothing if one never comes;
 * - any: the first that comes;
 * - outer: whatever came within `windowMs` of the first arrival (all of them if sooner).
 * A rejected input rejects the join: a failed step fails every request that needed it.
 */
export function joinArrivals<T>(
  arrivals: readonly Promise<T | undefined>[],
  type: JoinType,
  windowMs: number,
): Promise<T[] | undefined> {
  if (type === "inner") {
    return Promise.all(arrivals).then((all) => (all.some((a) => a === undefined) ? undefined : (all as T[])));
  }
  return new Promise((resolve, reject) => {
    const arrived: { index: number; value: T }[] = [];
    let pending = arrivals.length;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (): void => {
      done = true;
      clearTimeout(timer);
      resolve(
        arrived.length === 0 ? undefined : arrived.sort((a, b) => a.index - b.index).map((a) => a.value),
      );
    };
    if (pending === 0) {
      finish();
      return;
    }
    arrivals.forEach((promise, index) => {
      promise.then(
        (value) => {
          if (done) {
            return;
          }
          pending--;
          if (value !== undefined) {
            arrived.push({ index, value });
            if (type === "any") {
              finish();
              return;
            }
            if (timer === undefined && pending > 0) {
              timer = setTimeout(finish, windowMs);
            }
          }
          if (pending === 0) {
            finish();
          }
        },
        (err: unknown) => {
          if (!done) {
            done = true;
            clearTimeout(timer);
            reject(err);
          }
        },
      );
    });
  });
}

function merge(groups: readonly (readonly Tensor[])[], what: string): Tensor[] {
  const seen = new Set<string>();
  const merged: Tensor[] = [];
  for (const tensor of groups.flat()) {
    if (seen.has(tensor.name)) {
      throw new TensorwireError(
        "invalid_argument",
        `${what}: two inputs are named '${tensor.name}': rename one with tensorMap`,
        { tensor: tensor.name },
      );
    }
    seen.add(tensor.name);
    merged.push(tensor);
  }
  return merged;
}

function rename(tensor: Tensor, name: string | undefined): Tensor {
  return name === undefined || name === tensor.name ? tensor : ({ ...tensor, name } as Tensor);
}
