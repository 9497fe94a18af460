import { pathToFileURL } from "node:url";
import {
  createTensor,
  datatypes,
  formatShape,
  isDatatype,
  type Tensor,
  TensorwireError,
} from "@tensorwire/codec";
import type { TensorMetadata } from "../core/data-plane.js";
import { describeValue } from "../core/describe-value.js";
import type { ModelRuntime, ModelRuntimeFactory, RuntimeMetadata } from "../core/model-runtime.js";
import type { ModuleRuntimeSpec } from "./runtime-spec.js";

/**
 * A user's runtime (a factory given in memory, or a module's default export) behind the checks the
 * server's own runtimes do not need: at load, a well-formed runtime and metadata; on every run,
 * outputs that are tensors of the datatypes and shapes the metadata declares (else an internal
 * error naming the model, never a malformed response). Inputs reach it in the order of its
 * metadata, and only the requested outputs leave it.
 */
export function createModuleRuntime(spec: ModuleRuntimeSpec): ModelRuntime {
  const source = typeof spec.factory === "function" ? undefined : spec.factory;
  const where = `model '${spec.context.name}'${source === undefined ? "" : ` (module '${source.module}')`}`;
  let inner: ModelRuntime | undefined;
  let meta: RuntimeMetadata | undefined;
  let inputIndex = new Map<string, number>();
  let outputByName = new Map<string, TensorMetadata>();
  return {
    async load() {
      const factory =
        source === undefined ? (spec.factory as ModelRuntimeFactory) : await importFactory(source);
      const runtime: unknown = await factory(spec.context);
      if (!isRuntime(runtime)) {
        throw new TensorwireError(
          "failed_precondition",
          `${where}: the factory returned ${describeValue(runtime)}, not a ModelRuntime (load, metadata, infer, unload)`,
        );
      }
      await runtime.load();
      try {
        meta = checkMetadata(runtime.metadata(), where);
      } catch (err) {
        await runtime.unload();
        throw err;
      }
      inputIndex = new Map(meta.inputs.map((input, i) => [input.name, i]));
      outputByName = new Map(meta.outputs.map((output) => [output.name, output]));
      inner = runtime;
    },
    metadata() {
      if (meta === undefined) {
        throw new TensorwireError("unavailable", `${where} is not loaded`);
      }
      return meta;
    },
    async infer(inputs, options) {
      if (inner === undefined) {
        throw new TensorwireError("unavailable", `${where} is not loaded`);
      }
      const ordered =
        inputs.length < 2
          ? inputs
          : [...inputs].sort((a, b) => (inputIndex.get(a.name) ?? 0) - (inputIndex.get(b.name) ?? 0));
      const produced: unknown = await inner.infer(ordered, options);
      if (!Array.isArray(produced)) {
        throw new TensorwireError(
          "internal",
          `${where}: infer must return an array of tensors, got ${describeValue(produced)}`,
        );
      }
      const wanted = new Set(options.outputs);
      const seen = new Set<string>();
      const outputs: Tensor[] = [];
      for (const [i, value] of produced.entries()) {
        const tensor = checkOutput(value, i, outputByName, where);
        if (seen.has(tensor.name)) {
          throw new TensorwireError("internal", `${where}: infer returned output '${tensor.name}' twice`);
        }
        seen.add(tensor.name);
        if (wanted.has(tensor.name)) {
          outputs.push(tensor);
        }
      }
      return outputs;
    },
    async unload() {
      const current = inner;
      inner = undefined;
      await current?.unload();
    },
  };
}

async function importFactory(source: {
  readonly module: string;
  readonly revision: string;
}): Promise<ModelRuntimeFactory> {
  const path = source.module;
  let module: unknown;
  try {
    module = await import(`${pathToFileURL(path).href}?revision=${encodeURIComponent(source.revision)}`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new TensorwireError(
      "failed_precondition",
      `module '${path}' failed to import: ${message}`,
      {},
      { cause: err },
    );
  }
  const factory = (module as { default?: unknown }).default;
  if (typeof factory !== "function") {
    throw new TensorwireError(
      "failed_precondition",
      `module '${path}' has no default export that is a ModelRuntimeFactory (a function; see defineModel)`,
    );
  }
  return factory as ModelRuntimeFactory;
}

function isRuntime(value: unknown): value is ModelRuntime {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const r = value as Record<string, unknown>;
  return ["load", "metadata", "infer", "unload"].every((key) => typeof r[key] === "function");
}

/** The runtime's metadata, checked as a config's tensors are: a runtime cannot declare nonsense. */
function checkMetadata(raw: unknown, where: string): RuntimeMetadata {
  const fail = (path: string, message: string): never => {
    throw new TensorwireError("failed_precondition", `${where}: metadata: ${path}: ${message}`);
  };
  if (typeof raw !== "object" || raw === null) {
    return fail("metadata()", `expected { platform, inputs, outputs }, got ${describeValue(raw)}`);
  }
  const { platform, inputs, outputs } = raw as Record<string, unknown>;
  if (typeof platform !== "string") {
    fail("platform", `expected a string, got ${describeValue(platform)}`);
  }
  const tensors = (list: unknown, path: string): TensorMetadata[] => {
    if (!Array.isArray(list)) {
      return fail(path, `expected a list of tensors, got ${describeValue(list)}`);
    }
    const names = new Set<string>();
    return list.map((item: unknown, i) => {
      const { name, datatype, shape } = (item ?? {}) as Record<string, unknown>;
      if (typeof name !== "string" || name === "" || names.has(name)) {
        fail(`${path}[${i}].name`, `expected a tensor name used once, got ${describeValue(name)}`);
      }
      names.add(name as string);
      if (!isDatatype(datatype)) {
        fail(
          `${path}[${i}].datatype`,
          `expected one of ${datatypes.join(", ")}, got ${describeValue(datatype)}`,
        );
      }
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= -1)) {
        fail(
          `${path}[${i}].shape`,
          `expected a list of dimensions (-1 for variable), got ${describeValue(shape)}`,
        );
      }
      return { name, datatype, shape } as TensorMetadata;
    });
  };
  const checked = {
    platform: platform as string,
    inputs: tensors(inputs, "inputs"),
    outputs: tensors(outputs, "outputs"),
  };
  if (checked.outputs.length === 0) {
    fail("outputs", "a model needs at least one output");
  }
  return checked;
}

/** One returned output as a tensor the metadata declares; anything else is the model's fault. */
function checkOutput(
  value: unknown,
  index: number,
  declared: ReadonlyMap<string, TensorMetadata>,
  where: string,
): Tensor {
  const v = value as Partial<Tensor> | null;
  if (typeof v !== "object" || v === null || typeof v.name !== "string" || v.data === undefined) {
    throw new TensorwireError(
      "internal",
      `${where}: output ${index} is not a tensor, got ${describeValue(value)}`,
    );
  }
  const expected = declared.get(v.name);
  if (expected === undefined) {
    throw new TensorwireError(
      "internal",
      `${where}: infer returned output '${v.name}', which its metadata does not declare`,
      { tensor: v.name },
    );
  }
  let tensor: Tensor;
  try {
    tensor = createTensor({
      name: v.name,
      datatype: String(v.datatype),
      shape: v.shape ?? [],
      data: v.data,
      parameters: v.parameters,
    });
  } catch (err) {
    // The client sent nothing wrong: a bad tensor from the model is the server's fault.
    const message = err instanceof Error ? err.message : String(err);
    throw new TensorwireError("internal", `${where}: ${message}`, { tensor: v.name }, { cause: err });
  }
  if (tensor.datatype !== expected.datatype) {
    throw new TensorwireError(
      "internal",
      `${where}: output '${tensor.name}' is ${tensor.datatype}, its metadata declares ${expected.datatype}`,
      { tensor: tensor.name },
    );
  }
  const fits =
    tensor.shape.length === expected.shape.length &&
    expected.shape.every((dim, i) => dim === -1 || dim === tensor.shape[i]);
  if (!fits) {
    throw new TensorwireError(
      "internal",
      `${where}: output '${tensor.name}' has shape ${formatShape(tensor.shape)}, its metadata declares ${formatShape(expected.shape)}`,
      { tensor: tensor.name },
    );
  }
  return tensor;
}
