import type { Tensor } from "@tensorwire/codec";
import type { ModelRuntime, RuntimeInferOptions, RuntimeMetadata } from "../core/model-runtime.js";
import type { ConstantRuntimeSpec, EchoRuntimeSpec } from "./runtime-spec.js";

/** Answers each input back under its output name; output datatype and shape are the input's. */
export function createEchoRuntime(spec: EchoRuntimeSpec): ModelRuntime {
  const outputName = (input: string) => spec.rename[input] ?? input;
  const meta: RuntimeMetadata = {
    platform: "tensorwire_echo",
    inputs: spec.inputs,
    outputs: spec.inputs.map((input) => ({ ...input, name: outputName(input.name) })),
  };
  return staticRuntime(meta, async (inputs, options) => {
    const wanted = new Set(options.outputs);
    return inputs
      .map((input) => ({ ...input, name: outputName(input.name) }) as Tensor)
      .filter((output) => wanted.has(output.name));
  });
}

/** Answers the same outputs to every request. */
export function createConstantRuntime(spec: ConstantRuntimeSpec): ModelRuntime {
  const meta: RuntimeMetadata = {
    platform: "tensorwire_constant",
    inputs: spec.inputs,
    outputs: spec.outputs.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
  };
  return staticRuntime(meta, async (_inputs, options) => {
    const wanted = new Set(options.outputs);
    return spec.outputs.filter((output) => wanted.has(output.name));
  });
}

function staticRuntime(
  meta: RuntimeMetadata,
  infer: (inputs: readonly Tensor[], options: RuntimeInferOptions) => Promise<readonly Tensor[]>,
): ModelRuntime {
  return { load: async () => {}, metadata: () => meta, infer, unload: async () => {} };
}
