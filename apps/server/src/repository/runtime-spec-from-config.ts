import { realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import { createTensor, type Tensor, TensorwireError } from "@tensorwire/codec";
import type { TensorMetadata } from "../core/data-plane.js";
import { dataFromValues } from "../core/tensor-values.js";
import type { RuntimeModifiers, RuntimeSpec } from "../runtime/runtime-spec.js";
import type { ModelConfig } from "./model-config.js";

/** The runtime spec of one version of a mock model (every runtime but onnx). */
export async function mockRuntimeSpec(
  name: string,
  config: ModelConfig,
  modelDir: string,
  functionModuleRoots: readonly string[],
): Promise<RuntimeSpec> {
  const inputs = declaredTensors(config.inputs);
  switch (config.runtime) {
    case "echo":
      return { kind: "echo", inputs, rename: config.rename };
    case "constant":
      return {
        kind: "constant",
        inputs,
        outputs: config.outputs.map((output) => constantTensor(name, output)),
      };
    case "function": {
      const module = await allowedModulePath(
        name,
        resolve(modelDir, config.module ?? ""),
        functionModuleRoots,
      );
      return { kind: "function", inputs, outputs: declaredTensors(config.outputs), module };
    }
    case "onnx":
      throw new TensorwireError("internal", `model '${name}': onnx is not a mock runtime`);
  }
}

export function modifiersFromConfig(config: ModelConfig): RuntimeModifiers {
  return {
    ...(config.latency === undefined ? {} : { latency: config.latency }),
    ...(config.errors === undefined ? {} : { errors: config.errors }),
    ...(config.batching === undefined ? {} : { batching: config.batching }),
  };
}

/** True when `path` is `root` or lies below it (both already resolved). */
export function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

async function allowedModulePath(name: string, path: string, roots: readonly string[]): Promise<string> {
  const real = await realpath(path).catch((err: unknown) => {
    throw new TensorwireError(
      "invalid_argument",
      `model '${name}': cannot read function module '${path}'`,
      {},
      {
        cause: err,
      },
    );
  });
  for (const root of roots) {
    if (isWithin(await realpath(root).catch(() => resolve(root)), real)) {
      return real;
    }
  }
  // Importing a module runs its code: only the operator, not a model repository, may allow that.
  throw new TensorwireError(
    "permission_denied",
    `model '${name}': function module '${real}' is outside the allowed function module paths`,
  );
}

function declaredTensors(
  tensors: readonly { name: string; datatype?: TensorMetadata["datatype"]; shape?: readonly number[] }[],
): TensorMetadata[] {
  return tensors.flatMap(({ name, datatype, shape }) =>
    datatype === undefined || shape === undefined ? [] : [{ name, datatype, shape }],
  );
}

function constantTensor(model: string, output: ModelConfig["outputs"][number]): Tensor {
  const datatype = output.datatype ?? "FP32";
  const values = (output.data ?? []).flat(Number.POSITIVE_INFINITY);
  const where = `model '${model}': constant output '${output.name}'`;
  const data = dataFromValues(datatype, values);
  if (!data.ok) {
    throw new TensorwireError("invalid_argument", `${where}: ${data.error}`, { tensor: output.name });
  }
  try {
    return createTensor({
      name: output.name,
      datatype,
      shape: output.shape ?? [values.length],
      data: data.value,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new TensorwireError(
      "invalid_argument",
      `${where}: ${message}`,
      { tensor: output.name },
      { cause: err },
    );
  }
}
