import { type Datatype, formatShape, type Result } from "@tensorwire/codec";
import type { TensorMetadata } from "../core/data-plane.js";
import type { ExplainerConfig, ValidationConfig } from "../core/model-extras.js";
import type { RuntimeMetadata } from "../core/model-runtime.js";
import type { ModelConfig } from "../repository/model-config.js";

/** An input as clients may send it: the model's tensor plus what the config also accepts. */
export interface BoundInput {
  readonly metadata: TensorMetadata;
  readonly acceptDatatypes: ReadonlySet<Datatype>;
  readonly optional: boolean;
}

/**
 * A loaded model's tensors as clients see them: the runtime's metadata with the config's input
 * aliases, accepted datatypes and output renames applied.
 */
export interface ModelBinding {
  readonly platform: string;
  readonly inputs: readonly TensorMetadata[];
  /** Outputs under the names clients see. */
  readonly outputs: readonly TensorMetadata[];
  /** By the model's input name and by every alias. */
  readonly inputByName: ReadonlyMap<string, BoundInput>;
  /** Client-facing output name → the model's output name. */
  readonly outputSource: ReadonlyMap<string, string>;
  /** The model's output name → client-facing name. */
  readonly outputTarget: ReadonlyMap<string, string>;
  /** The config's Wallaroo validations, evaluated by that dialect. */
  readonly validations: readonly ValidationConfig[];
  /** The config's mock explainer, answered by KServe V1's `:explain`. */
  readonly explainer?: ExplainerConfig;
  /** Triton's max_batch_size: above 0, dimension 0 of every tensor is the batch, at most this. */
  readonly maxBatchSize: number;
  /** The config's gRPC output contents choice; undefined: the server's. */
  readonly grpcRawOutput?: boolean;
  /** TF-Serving signature names the model answers. */
  readonly signatures: readonly string[];
  /** Per input (the model's name): the other datatypes the config accepts, as `describe` gives them. */
  readonly acceptDatatypes: Readonly<Record<string, readonly Datatype[]>>;
}

/** Applies a config to what the runtime reports; a config naming tensors the model lacks is an error. */
export function bindModel(config: ModelConfig, runtime: RuntimeMetadata): Result<ModelBinding> {
  const inputByName = new Map<string, BoundInput>();
  for (const metadata of runtime.inputs) {
    const input = config.inputs.find((entry) => entry.name === metadata.name);
    const mismatch = input === undefined ? undefined : declaredMismatch("input", input, metadata);
    if (mismatch !== undefined) {
      return { ok: false, error: mismatch };
    }
    const bound: BoundInput = {
      metadata,
      acceptDatatypes: new Set(input?.acceptDatatypes ?? []),
      optional: input?.optional ?? false,
    };
    for (const name of [metadata.name, ...(input?.aliases ?? [])]) {
      if (inputByName.has(name)) {
        return { ok: false, error: `input alias '${name}' is also the name of another input` };
      }
      inputByName.set(name, bound);
    }
  }
  const unknownInput = config.inputs.find((entry) => !runtime.inputs.some((m) => m.name === entry.name));
  if (unknownInput !== undefined) {
    return { ok: false, error: `config names input '${unknownInput.name}', which the model does not have` };
  }
  const outputSource = new Map<string, string>();
  const outputTarget = new Map<string, string>();
  const outputs: TensorMetadata[] = [];
  for (const metadata of runtime.outputs) {
    const output = config.outputs.find((entry) => entry.name === metadata.name);
    const mismatch = output === undefined ? undefined : declaredMismatch("output", output, metadata);
    if (mismatch !== undefined) {
      return { ok: false, error: mismatch };
    }
    const name = output?.rename ?? metadata.name;
    if (outputSource.has(name)) {
      return { ok: false, error: `output name '${name}' is used twice` };
    }
    outputSource.set(name, metadata.name);
    outputTarget.set(metadata.name, name);
    outputs.push({ ...metadata, name });
  }
  const unknownOutput = config.outputs.find((entry) => !runtime.outputs.some((m) => m.name === entry.name));
  if (unknownOutput !== undefined) {
    return { ok: false, error: `config names output '${unknownOutput.name}', which the model does not have` };
  }
  if (config.maxBatchSize > 0) {
    const unbatched = [...runtime.inputs, ...runtime.outputs].find((t) => t.shape[0] !== -1);
    if (unbatched !== undefined) {
      return {
        ok: false,
        error: `maxBatchSize ${config.maxBatchSize} needs dimension 0 of every tensor to be -1, the batch; '${unbatched.name}' has shape ${formatShape(unbatched.shape)}`,
      };
    }
  }
  return {
    ok: true,
    value: {
      platform: runtime.platform,
      inputs: runtime.inputs,
      outputs,
      inputByName,
      outputSource,
      outputTarget,
      validations: config.validations,
      ...(config.explainer === undefined ? {} : { explainer: config.explainer }),
      maxBatchSize: config.maxBatchSize,
      ...(config.grpcRawOutput === undefined ? {} : { grpcRawOutput: config.grpcRawOutput }),
      signatures: config.signatures,
      acceptDatatypes: Object.fromEntries(
        runtime.inputs.map((m) => [m.name, [...(inputByName.get(m.name)?.acceptDatatypes ?? [])]]),
      ),
    },
  };
}

function declaredMismatch(
  kind: "input" | "output",
  declared: { readonly datatype?: Datatype; readonly shape?: readonly number[] },
  actual: TensorMetadata,
): string | undefined {
  if (declared.datatype !== undefined && declared.datatype !== actual.datatype) {
    return `config declares ${kind} '${actual.name}' as ${declared.datatype}, the model has ${actual.datatype}`;
  }
  if (declared.shape !== undefined && formatShape(declared.shape) !== formatShape(actual.shape)) {
    return `config declares ${kind} '${actual.name}' with shape ${formatShape(declared.shape)}, the model has ${formatShape(actual.shape)}`;
  }
  return undefined;
}
