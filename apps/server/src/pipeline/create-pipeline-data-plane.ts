import { type InferRequest, type InferResponse, type Tensor, TensorwireError } from "@tensorwire/codec";
import type { DataPlane, InferContext, ModelMetadata, TensorMetadata } from "../core/data-plane.js";
import { createInspectStore, type InspectQuery } from "./create-inspect-store.js";
import { checkUniquePipelines, type PipelineSpec } from "./pipeline-spec.js";
import { createTrace, type PipelineTrace, runPipeline, type StepCaller } from "./run-pipeline.js";

export interface PipelineDataPlaneOptions {
  /** Requests kept per pipeline for `inspect`. Default 100: a few MB for small tensors. */
  readonly inspectCapacity: number;
}

/**
 * Every pipeline's version (`DataPlane.describe`, Seldon's `x-pipeline-version`). Seldon's scheduler
 * numbers a pipeline's versions from 1 and counts up on each update; pipelines here are loaded
 * once, at start.
 */
const pipelineVersion = "1";

/**
 * A context that may carry its own step caller: it passes through decorators of `infer` (the
 * inference log) unchanged, so a pipeline call can be logged and still run its steps elsewhere.
 */
export interface PipelineInferContext extends InferContext {
  readonly callStep?: StepCaller;
}

/** A data plane that also serves pipelines, with Seldon's inspect. */
export interface PipelineDataPlane extends DataPlane {
  /** The pipelines served, by name. */
  readonly pipelines: ReadonlyMap<string, PipelineSpec>;
  /**
   * The in-process step caller, the inner data plane's `infer`: a step is part of its pipeline's
   * request, so decorators of this plane (the inference log) must not see it as a request of its own.
   */
  readonly callStep: StepCaller;
  /** Throws not_found for an unknown pipeline, and as `InspectStore.find` does. */
  inspect(pipeline: string, query: InspectQuery): PipelineTrace[];
  /**
   * Runs a pipeline (by name) whether or not it declares `output`, recording
   * it for inspect: the asynchronous path. Resolves with undefined for a pipeline without output.
   * `callStep` replaces the default step caller (the inner data plane's `infer`), e.g. with a
   * round trip through the models' Kafka topics.
   */
  runPipeline(
    pipeline: string,
    request: InferRequest,
    context: InferContext,
    callStep?: StepCaller,
  ): Promise<InferResponse | undefined>;
}

/** The recorded pipeline requests, as the OIP REST inspect endpoint reads them. */
export type PipelineInspector = Pick<PipelineDataPlane, "inspect">;

export function makePipelineDataPlaneOptions(
  options: Partial<PipelineDataPlaneOptions> = {},
): PipelineDataPlaneOptions {
  return { inspectCapacity: options.inspectCapacity ?? 100 };
}

/**
 * Decorates a data plane with pipelines: a pipeline target (`{ kind: "pipeline" }`, which the
 * protocols parse from `seldon-model: <name>.pipeline` and `/v2/pipelines/<name>/...`) runs the
 * pipeline, whose steps call the inner data plane's models; every model call passes through.
 */
export function createPipelineDataPlane(
  inner: DataPlane,
  pipelines: readonly PipelineSpec[],
  partial: Partial<PipelineDataPlaneOptions> = {},
): PipelineDataPlane {
  const options = makePipelineDataPlaneOptions(partial);
  checkUniquePipelines(pipelines);
  const byName = new Map(pipelines.map((p) => [p.name, p]));
  const store = createInspectStore(options.inspectCapacity);
  const callInner: StepCaller = (step, request, context) =>
    inner.infer({ name: step.model }, request, context);

  const lookup = (name: string): PipelineSpec => {
    const pipeline = byName.get(name);
    if (pipeline === undefined) {
      throw new TensorwireError("not_found", `pipeline '${name}' not found`);
    }
    return pipeline;
  };

  const run = async (
    pipeline: PipelineSpec,
    request: InferRequest,
    context: InferContext,
    callStep: StepCaller,
  ): Promise<InferResponse | undefined> => {
    const trace = createTrace(pipeline.name, context.requestId, request.inputs);
    store.add(trace);
    const outputs = await runPipeline(pipeline, request, context, callStep, trace);
    return outputs === undefined
      ? undefined
      : {
          modelName: pipeline.name,
          id: request.id ?? context.requestId,
          outputs: selectOutputs(outputs, request.outputs, pipeline.name),
        };
  };

  return {
    ...inner,
    pipelines: byName,
    callStep: callInner,

    modelReady(target) {
      if (target.kind !== "pipeline") {
        return inner.modelReady(target);
      }
      const pipeline = byName.get(target.name);
      return pipeline?.steps.every((s) => inner.modelReady({ name: s.model })) ?? false;
    },

    modelMetadata(target) {
      return target.kind === "pipeline"
        ? pipelineMetadata(lookup(target.name), inner)
        : inner.modelMetadata(target);
    },

    describe(target) {
      if (target.kind !== "pipeline") {
        return inner.describe(target);
      }
      return byName.has(target.name)
        ? { kind: "pipeline", name: target.name, version: pipelineVersion }
        : undefined;
    },

    async infer(target, request, context) {
      if (target.kind !== "pipeline") {
        return inner.infer(target, request, context);
      }
      const { name } = target;
      const pipeline = lookup(name);
      if (pipeline.output === undefined) {
        // Seldon's rule: without `output` there is nothing to answer a synchronous call with.
        throw new TensorwireError(
          "failed_precondition",
          `pipeline '${name}' declares no output, so it cannot answer a synchronous request: send it to its Kafka inputs topic`,
        );
      }
      const { callStep = callInner } = context as PipelineInferContext;
      return (await run(pipeline, request, context, callStep)) as InferResponse;
    },

    runPipeline(name, request, context, callStep = callInner) {
      return run(lookup(name), request, context, callStep);
    },

    inspect(name, query) {
      lookup(name);
      return store.find(name, query);
    },
  };
}

function selectOutputs(
  outputs: readonly Tensor[],
  requested: readonly { readonly name: string }[] | undefined,
  pipeline: string,
): Tensor[] {
  if (requested === undefined) {
    return [...outputs];
  }
  return requested.map(({ name }) => {
    const tensor = outputs.find((t) => t.name === name);
    if (tensor === undefined) {
      throw new TensorwireError(
        "invalid_argument",
        `pipeline '${pipeline}' has no output '${name}': it produces ${outputs.map((t) => t.name).join(", ")}`,
        { tensor: name },
      );
    }
    return tensor;
  });
}

/**
 * A pipeline's metadata, derived from its models': the inputs are those of the steps reading the
 * pipeline's inputs (named as the request must name them), the outputs those of the output steps.
 */
function pipelineMetadata(pipeline: PipelineSpec, inner: DataPlane): ModelMetadata {
  const stepMeta = new Map(pipeline.steps.map((s) => [s.name, () => inner.modelMetadata({ name: s.model })]));
  const inputs = new Map<string, TensorMetadata>();
  for (const step of pipeline.steps) {
    for (const ref of step.inputs) {
      if (ref.node !== pipeline.name) {
        continue;
      }
      for (const meta of stepMeta.get(step.name)?.().inputs ?? []) {
        // The step sees tensorMap[<pipeline>.inputs.<x>] = meta.name; the request sends <x>.
        const source =
          Object.entries(step.tensorMap)
            .find(([, to]) => to === meta.name)?.[0]
            .split(".")
            .slice(2)
            .join(".") ?? meta.name;
        if ((ref.tensor === undefined || ref.tensor === source) && !inputs.has(source)) {
          inputs.set(source, { ...meta, name: source });
        }
      }
    }
  }
  const outputs: TensorMetadata[] = [];
  for (const ref of pipeline.output?.steps ?? []) {
    for (const meta of stepMeta.get(ref.node)?.().outputs ?? []) {
      if (ref.tensor === undefined || ref.tensor === meta.name) {
        const mapped = pipeline.output?.tensorMap[`${ref.node}.${ref.side}.${meta.name}`];
        outputs.push({ ...meta, name: mapped ?? meta.name });
      }
    }
  }
  return {
    name: pipeline.name,
    versions: [],
    platform: "seldon_pipeline",
    inputs: [...inputs.values()],
    outputs,
  };
}
