import { createTensor, type Tensor, TensorwireError } from "@tensorwire/codec";
import type { ModelRuntime, RuntimeInferOptions, RuntimeMetadata } from "../core/model-runtime.js";
import type { ConstantRuntimeSpec, EchoRuntimeSpec, FunctionRuntimeSpec } from "./runtime-spec.js";

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

interface FunctionModule {
  infer(inputs: readonly Tensor[]): unknown;
}

/**
 * Runs a JS module's `infer`. Its results go through `createTensor`, so a module returning
 * a malformed tensor fails the request with a clear error instead of corrupting the response.
 */
export function createFunctionRuntime(spec: FunctionRuntimeSpec): ModelRuntime {
  let module: FunctionModule | undefined;
  const meta: RuntimeMetadata = {
    platform: "tensorwire_function",
    inputs: spec.inputs,
    outputs: spec.outputs,
  };
  return {
    async load() {
      const imported: unknown = await import(spec.module);
      if (!hasInfer(imported)) {
        throw new TensorwireError(
          "failed_precondition",
          `module '${spec.module}' does not export a function 'infer'`,
        );
      }
      module = imported;
    },
    metadata: () => meta,
    async infer(inputs, options) {
      if (module === undefined) {
        throw new TensorwireError("unavailable", `module '${spec.module}' is not loaded`);
      }
      const result: unknown = await module.infer(inputs);
      if (!Array.isArray(result)) {
        throw new TensorwireError(
          "internal",
          `module '${spec.module}': infer must return an array of tensors`,
        );
      }
      const wanted = new Set(options.outputs);
      return result
        .map((value: unknown, i) => functionOutput(spec.module, value, i))
        .filter((output) => wanted.has(output.name));
    },
    async unload() {
      module = undefined;
    },
  };
}

function hasInfer(value: unknown): value is FunctionModule {
  return (
    typeof value === "object" && value !== null && typeof (value as { infer?: unknown }).infer === "function"
  );
}

function functionOutput(modulePath: string, value: unknown, index: number): Tensor {
  const v = value as Partial<Parameters<typeof createTensor>[0]> | null;
  if (typeof v !== "object" || v === null || typeof v.name !== "string" || v.data === undefined) {
    throw new TensorwireError("internal", `module '${modulePath}': output ${index} is not a tensor`);
  }
  try {
    return createTensor({ name: v.name, datatype: String(v.datatype), shape: v.shape ?? [], data: v.data });
  } catch (err) {
    // The client sent nothing wrong: a bad tensor from the model is the server's fault.
    const message = err instanceof Error ? err.message : String(err);
    throw new TensorwireError(
      "internal",
      `module '${modulePath}': ${message}`,
      { tensor: v.name },
      { cause: err },
    );
  }
}

function staticRuntime(
  meta: RuntimeMetadata,
  infer: (inputs: readonly Tensor[], options: RuntimeInferOptions) => Promise<readonly Tensor[]>,
): ModelRuntime {
  return { load: async () => {}, metadata: () => meta, infer, unload: async () => {} };
}
