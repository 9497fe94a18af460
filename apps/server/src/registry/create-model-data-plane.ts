import { readFileSync } from "node:fs";
import {
  invalidArgument,
  type JsonValue,
  type Parameters,
  parseJsonText,
  stringifyJsonText,
  type Tensor,
  TensorwireError,
} from "@tensorwire/codec";
import type { DataPlane, ModelStatistics } from "../core/data-plane.js";
import type { InferObserver } from "../core/infer-observer.js";
import type { InferTarget, ModelRef } from "../core/infer-target.js";
import { checkModelName } from "../repository/model-name.js";
import type { ModelConfigOverride, ModelRegistry } from "./model-registry.js";
import { validateRequest } from "./validate-request.js";

export interface ModelDataPlaneDeps {
  readonly registry: ModelRegistry;
  /** Told about every inference that reached a model: metrics and request logs. */
  readonly observer?: InferObserver;
  /** The name server metadata reports. Default "tensorwire". */
  readonly serverName?: string;
}

/**
 * Extensions this server implements end to end, no more: binary data (in the REST transport),
 * the repository API, statistics and the model configuration (in the protocols, from metadata and
 * `describe`). Triton's classification, shared memory, sequence, trace and logging extensions are
 * absent, so clients that probe for them get an honest answer.
 */
const extensions = ["binary_tensor_data", "model_repository", "statistics", "model_configuration"] as const;

// src/registry and dist/registry are both two levels below the package root.
const serverVersion = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/**
 * The data plane over the loaded models: validation, runs, statistics and the repository API.
 * It serves models only; a pipeline target is not found here (`createPipelineDataPlane` serves
 * pipelines over this one).
 */
export function createModelDataPlane(deps: ModelDataPlaneDeps): DataPlane {
  const { registry, observer } = deps;
  const serverName = deps.serverName ?? "tensorwire";

  const checkControlMode = (action: "load" | "unload"): void => {
    if (registry.controlMode !== "explicit") {
      // Triton answers UNAVAILABLE here too: the API exists but the server's mode forbids it.
      throw new TensorwireError(
        "unavailable",
        `explicit model ${action} is not allowed in model control mode '${registry.controlMode}'`,
      );
    }
  };

  return {
    serverLive: () => true,
    serverReady: () => registry.ready(),
    serverMetadata: () => ({ name: serverName, version: serverVersion, extensions }),

    modelMetadata(target) {
      const model = modelOf(target);
      const lease = registry.acquire(model);
      lease.release();
      const { binding } = lease.served;
      return {
        name: model.name,
        versions: registry.readyVersions(model.name),
        platform: binding.platform,
        inputs: binding.inputs,
        outputs: binding.outputs,
      };
    },

    modelReady(target) {
      return target.kind !== "pipeline" && registry.peek(target) !== undefined;
    },

    describe(target) {
      const served = target.kind === "pipeline" ? undefined : registry.peek(target);
      if (served === undefined) {
        return undefined;
      }
      const { validations, explainer, maxBatchSize, grpcRawOutput, signatures } = served.binding;
      return {
        kind: "model",
        name: served.name,
        version: served.version,
        validations,
        ...(explainer === undefined ? {} : { explainer }),
        maxBatchSize,
        ...(grpcRawOutput === undefined ? {} : { grpcRawOutput }),
        signatures,
        acceptDatatypes: served.binding.acceptDatatypes,
      };
    },

    async infer(target, request, context) {
      const model = modelOf(target);
      const start = process.hrtime.bigint();
      const lease = registry.acquire(model);
      const { served } = lease;
      let queueNs = 0;
      let runSize: number | undefined;
      try {
        if (context.signal?.aborted) {
          throw new TensorwireError("cancelled", `request for model '${model.name}' was cancelled`);
        }
        const validated = validateRequest(model.name, served.binding, request);
        if (!validated.ok) {
          throw invalidArgument(validated.error);
        }
        const inputsDone = process.hrtime.bigint();
        const produced = await served.runtime.infer(validated.value.inputs, {
          outputs: validated.value.outputs,
          ...(context.signal === undefined ? {} : { signal: context.signal }),
          report(run) {
            queueNs = run.queueNs;
            runSize = run.batchSize;
          },
        });
        const inferDone = process.hrtime.bigint();
        const byName = new Map(produced.map((tensor) => [tensor.name, tensor]));
        const outputs = validated.value.outputs.map((name): Tensor => {
          const tensor = byName.get(name);
          if (tensor === undefined) {
            throw new TensorwireError("internal", `model '${model.name}' did not produce output '${name}'`, {
              tensor: name,
            });
          }
          const exposed = served.binding.outputTarget.get(name) ?? name;
          return exposed === name ? tensor : ({ ...tensor, name: exposed } as Tensor);
        });
        const end = process.hrtime.bigint();
        const first = served.binding.inputs[0];
        const rows = batchSize(
          first?.shape,
          validated.value.inputs.find((t) => t.name === first?.name)?.shape,
        );
        const totalNs = Number(end - start);
        served.statistics.recordSuccess({
          batchSize: rows,
          totalNs,
          queueNs,
          computeInputNs: Number(inputsDone - start),
          computeInferNs: Number(inferDone - inputsDone) - queueNs,
          computeOutputNs: Number(end - inferDone),
        });
        observer?.inferred({
          model: model.name,
          version: served.version,
          protocol: context.protocol,
          requestId: context.requestId,
          error: undefined,
          totalNs,
          queueNs,
          batchSize: runSize ?? rows,
        });
        return {
          modelName: model.name,
          modelVersion: served.version,
          ...(request.id === undefined ? {} : { id: request.id }),
          outputs,
        };
      } catch (thrown) {
        const err = abortedError(thrown, context.signal, model.name);
        const totalNs = Number(process.hrtime.bigint() - start);
        served.statistics.recordFailure(totalNs);
        observer?.inferred({
          model: model.name,
          version: served.version,
          protocol: context.protocol,
          requestId: context.requestId,
          error: err,
          totalNs,
          queueNs,
          batchSize: runSize ?? 0,
        });
        throw err;
      } finally {
        lease.release();
      }
    },

    repositoryIndex({ readyOnly }) {
      const entries = registry.index();
      return readyOnly ? entries.filter((entry) => entry.state === "READY") : entries;
    },

    async repositoryLoad(name, parameters) {
      checkControlMode("load");
      checkName(name);
      // Triton's `file:<version>/<name>` overrides would let a client write models.
      rejectParameters(parameters, ["config"]);
      const config = parameters?.config;
      await registry.load(name, config === undefined ? undefined : configOverride(name, config));
    },

    async repositoryUnload(name, parameters) {
      checkControlMode("unload");
      checkName(name);
      // No model depends on another yet, so unloading dependents is always a no-op.
      rejectParameters(parameters, ["unload_dependents"]);
      await registry.unload(name);
    },

    statistics(model) {
      const selected = registry
        .served()
        .filter(
          (s) =>
            (model?.name === undefined || s.name === model.name) &&
            (model?.version === undefined || model.version === "" || s.version === model.version),
        );
      if (model?.name !== undefined && selected.length === 0) {
        const version = model.version ? ` version ${model.version}` : "";
        throw new TensorwireError(
          "not_found",
          `requested model '${model.name}'${version} is not found or not ready`,
        );
      }
      return selected
        .map((s): ModelStatistics => s.statistics.snapshot(s.name, s.version))
        .sort((a, b) => a.name.localeCompare(b.name) || Number(a.version) - Number(b.version));
    },
  };
}

/** The model a target names; a pipeline is not found here, in the words Seldon answers with. */
function modelOf(target: InferTarget): ModelRef {
  if (target.kind === "pipeline") {
    throw new TensorwireError("not_found", `pipeline '${target.name}' not found`);
  }
  return target;
}

function checkName(name: string): void {
  const checked = checkModelName(name);
  if (!checked.ok) {
    throw invalidArgument(checked.error);
  }
}

/**
 * The keys of Triton's load `config` parameter (a model configuration as JSON) this server applies:
 * `max_batch_size` (a number or numeric string, as Triton's JSON reader takes int64s) and `name`,
 * which must be the model's. Other keys are refused rather than silently ignored.
 */
function configOverride(model: string, config: string | number | boolean | bigint): ModelConfigOverride {
  const fail = (message: string): never => {
    throw new TensorwireError(
      "invalid_argument",
      `failed to load '${model}': parameter 'config': ${message}`,
      {
        field: "parameters.config",
      },
    );
  };
  let json: JsonValue;
  try {
    // The codec's parser, for its nesting limit: the checks below write values into messages.
    json = parseJsonText(String(config));
  } catch (err) {
    return fail(`not a JSON model configuration (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return fail("expected a JSON object");
  }
  const override: { maxBatchSize?: number } = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === "name") {
      if (value !== model) {
        fail(`name '${String(value)}' is not the model's`);
      }
    } else if (key === "max_batch_size") {
      const n = typeof value === "string" && /^[0-9]+$/.test(value) ? Number(value) : value;
      if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
        fail(`max_batch_size: expected a non-negative integer, got ${stringifyJsonText(value)}`);
      }
      override.maxBatchSize = n as number;
    } else {
      fail(`key '${key}' is not supported; this server applies name and max_batch_size`);
    }
  }
  return override;
}

function rejectParameters(parameters: Parameters | undefined, allowed: readonly string[]): void {
  const unsupported = Object.keys(parameters ?? {}).filter((key) => !allowed.includes(key));
  if (unsupported.length > 0) {
    throw new TensorwireError("unimplemented", `repository parameter '${unsupported[0]}' is not supported`);
  }
}

/**
 * The batch size Triton's statistics count: dimension 0 of the first input when the model's first
 * dimension is variable (a batch dimension), else 1.
 */
function batchSize(expected: readonly number[] | undefined, actual: readonly number[] | undefined): number {
  return expected?.[0] === -1 && actual?.[0] !== undefined ? actual[0] : 1;
}

/**
 * What a failure of an aborted request was: a runtime woken by the abort (a timer, a worker)
 * rejects with its own error, an `AbortError` or whatever it had, which would be logged and
 * answered as the server's fault; the request was cancelled by its client or its deadline.
 */
function abortedError(err: unknown, signal: AbortSignal | undefined, model: string): unknown {
  if (signal?.aborted !== true || err instanceof TensorwireError) {
    return err;
  }
  const reason: unknown = signal.reason;
  return reason instanceof TensorwireError
    ? reason
    : new TensorwireError("cancelled", `request for model '${model}' was cancelled`, {}, { cause: err });
}
