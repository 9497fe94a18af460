import { realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import { createTensor, type Tensor, TensorwireError, tensorDataFromValues } from "@tensorwire/codec";
import type { TensorMetadata } from "../core/data-plane.js";
import type { RuntimeModifiers, RuntimeSpec } from "../runtime/runtime-spec.js";
import type { ModelConfig } from "./model-config.js";

/** Where a model's non-ONNX runtime specs come from, beside its config. */
export interface SpecSource {
  /** Relative module paths resolve from here: the model directory, or the working directory in memory. */
  readonly baseDir: string;
  /** The model directory as `ModelRuntimeContext.directory` gives it: undefined in memory. */
  readonly directory: string | undefined;
  /** The directories whose modules `runtime: module` models may import. */
  readonly moduleRoots: readonly string[];
}

/** The runtime spec of each version of a model whose runtime is not onnx, by version. */
export async function runtimeSpecs(
  name: string,
  config: ModelConfig,
  versions: readonly string[],
  source: SpecSource,
): Promise<Map<string, RuntimeSpec>> {
  const specs = new Map<string, RuntimeSpec>();
  const inputs = declaredTensors(config.inputs);
  switch (config.runtime) {
    case "echo":
      for (const version of versions) {
        specs.set(version, { kind: "echo", inputs, rename: config.rename });
      }
      return specs;
    case "constant": {
      const outputs = config.outputs.map((output) => constantTensor(name, output));
      for (const version of versions) {
        specs.set(version, { kind: "constant", inputs, outputs });
      }
      return specs;
    }
    case "module": {
      if (config.module === undefined) {
        throw new TensorwireError(
          "invalid_argument",
          `model '${name}': a module model needs the path of its module (module:)`,
          { field: "module" },
        );
      }
      const module = await allowedModulePath(
        name,
        resolve(source.baseDir, config.module),
        source.moduleRoots,
      );
      const file = await stat(module);
      const revision = `${file.mtimeMs}-${file.size}`;
      for (const version of versions) {
        specs.set(version, {
          kind: "module",
          factory: { module, revision },
          context: { name, version, directory: source.directory },
        });
      }
      return specs;
    }
    case "onnx":
      throw new TensorwireError("internal", `model '${name}': onnx versions are model files`);
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
      `model '${name}': cannot read module '${path}'`,
      { field: "module" },
      { cause: err },
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
    `model '${name}': module '${real}' is outside the directories the server may import modules from (moduleRoots, --module-root)`,
    { field: "module" },
  );
}

function declaredTensors(
  tensors: readonly { name: string; datatype?: TensorMetadata["datatype"]; shape?: readonly number[] }[],
): TensorMetadata[] {
  return tensors.flatMap(({ name, datatype, shape }) =>
    datatype === undefined || shape === undefined ? [] : [{ name, datatype, shape }],
  );
}

/** A constant output's tensor, its `data` read by the codec's one conversion (BOOL as true/false). */
function constantTensor(model: string, output: ModelConfig["outputs"][number]): Tensor {
  const datatype = output.datatype ?? "FP32";
  const values = (output.data ?? []).flat(Number.POSITIVE_INFINITY);
  try {
    return createTensor({
      name: output.name,
      datatype,
      shape: output.shape ?? [values.length],
      data: tensorDataFromValues(datatype, values),
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new TensorwireError(
      "invalid_argument",
      `model '${model}': constant output '${output.name}': ${message}`,
      { tensor: output.name },
      { cause: err },
    );
  }
}
