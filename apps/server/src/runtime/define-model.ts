import {
  type Parameters,
  type Tensor,
  type TensorDataMap,
  type TensorOf,
  TensorwireError,
} from "@tensorwire/codec";
import type { TensorMetadata } from "../core/data-plane.js";
import type {
  ModelRuntimeContext,
  ModelRuntimeFactory,
  RuntimeInferOptions,
  RuntimeMetadata,
} from "../core/model-runtime.js";

/** The inputs `ModelSpec.infer` receives: each declared input by name, a tensor of its datatype. */
export type ModelInputs<I extends readonly TensorMetadata[]> = {
  readonly [T in I[number] as T["name"]]: TensorOf<T["datatype"]>;
};

/** What `ModelSpec.infer` returns: each declared output by name, its shape and data of its datatype. */
export type ModelOutputs<O extends readonly TensorMetadata[]> = {
  readonly [T in O[number] as T["name"]]: {
    /** Concrete dimensions; they must fit the declared shape (-1 fits any size). */
    readonly shape: readonly number[];
    /** Row-major elements, in the typed array of the declared datatype. */
    readonly data: TensorDataMap[T["datatype"]];
    /** The output's parameters in the response. */
    readonly parameters?: Parameters;
  };
};

/** A model as `defineModel` takes it: its tensors and the functions that run it. */
export interface ModelSpec<I extends readonly TensorMetadata[], O extends readonly TensorMetadata[]> {
  /** The inputs a request must send (an input the config marks `optional` may be absent). */
  readonly inputs: I;
  /** The outputs `infer` computes. */
  readonly outputs: O;
  /** Triton's platform string in the model's metadata. Default "tensorwire_custom". */
  readonly platform?: string;
  /** Runs at each load, before any `infer`: read weights, warm caches. Default: nothing. */
  readonly load?: (context: ModelRuntimeContext) => void | Promise<void>;
  /**
   * Computes every output from the inputs, which the server has validated against `inputs`
   * (names, datatypes, shapes). Throw a `TensorwireError` to answer with its code's status.
   */
  readonly infer: (
    inputs: ModelInputs<I>,
    options: RuntimeInferOptions,
  ) => ModelOutputs<O> | Promise<ModelOutputs<O>>;
  /** Runs at each unload, once no request is in flight. Default: nothing. */
  readonly unload?: () => void | Promise<void>;
}

/**
 * A model written in TypeScript, typed by its tensors: `infer` gets each input by name as a tensor
 * of its declared datatype (`x.data` is a `Float32Array` for FP32) and returns each output's shape
 * and data. Returns the `ModelRuntimeFactory` that `startServer({ models })` takes as a model's
 * `runtime`, or that a `runtime: module` model's module exports as default. The model's config
 * (aliases, accepted datatypes, renames, latency, errors, batching) applies as to any model.
 *
 * @example
 * ```ts
 * import { defineModel, startServer } from "@tensorwire/server";
 *
 * const doubler = defineModel({
 *   inputs: [{ name: "x", datatype: "FP32", shape: [-1] }],
 *   outputs: [{ name: "y", datatype: "FP32", shape: [-1] }],
 *   infer: ({ x }) => ({ y: { shape: x.shape, data: x.data.map((v) => v * 2) } }),
 * });
 * const server = await startServer({ models: [{ name: "doubler", runtime: doubler }] });
 * ```
 */
export function defineModel<
  const I extends readonly TensorMetadata[],
  const O extends readonly TensorMetadata[],
>(spec: ModelSpec<I, O>): ModelRuntimeFactory {
  const metadata: RuntimeMetadata = {
    platform: spec.platform ?? "tensorwire_custom",
    inputs: spec.inputs,
    outputs: spec.outputs,
  };
  return (context) => ({
    async load() {
      await spec.load?.(context);
    },
    metadata: () => metadata,
    async infer(inputs, options) {
      const byName = Object.fromEntries(inputs.map((tensor) => [tensor.name, tensor])) as ModelInputs<I>;
      const values: unknown = await spec.infer(byName, options);
      if (typeof values !== "object" || values === null) {
        throw new TensorwireError(
          "internal",
          `model '${context.name}': infer must return an object of outputs by name`,
        );
      }
      // Plain objects: the server checks every output of a factory's runtime against the metadata.
      return spec.outputs.flatMap(({ name, datatype }) => {
        const value = Object.hasOwn(values, name) ? (values as Record<string, unknown>)[name] : undefined;
        return value === undefined ? [] : [{ ...(value as object), name, datatype } as Tensor];
      });
    },
    async unload() {
      await spec.unload?.();
    },
  });
}
