import { createTensor, type InferResponse, type Tensor } from "@tensorwire/codec";
import type { DataPlane, InferContext } from "../core/data-plane.js";

/** @private Test helpers shared by the pipeline and Kafka tests. */

export function int32(name: string, values: readonly number[]): Tensor {
  return createTensor({ name, datatype: "INT32", shape: [1, values.length], data: Int32Array.from(values) });
}

export function valuesOf(tensors: readonly Tensor[] | undefined, name: string): number[] {
  const tensor = tensors?.find((t) => t.name === name);
  if (tensor === undefined) {
    throw new Error(`no tensor '${name}' among ${tensors?.map((t) => t.name).join(", ")}`);
  }
  return Array.from(tensor.data as Int32Array);
}

/** A model as a function of its input tensors, with an optional delay (to order joins). */
export interface FakeModel {
  readonly delayMs?: number;
  run(inputs: readonly Tensor[]): Tensor[];
}

/** A data plane whose models are plain functions; counts the calls per model. */
export function fakeDataPlane(models: Record<string, FakeModel>): DataPlane & { calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const unsupported = (): never => {
    throw new Error("not used by these tests");
  };
  return {
    calls,
    serverLive: () => true,
    serverReady: () => true,
    serverMetadata: () => ({ name: "fake", version: "0", extensions: [] }),
    modelMetadata: ({ name }) => ({
      name,
      versions: ["1"],
      platform: "fake",
      inputs: [{ name: "INPUT0", datatype: "INT32", shape: [1, -1] }],
      outputs: [{ name: "OUTPUT0", datatype: "INT32", shape: [1, -1] }],
    }),
    modelReady: ({ name }) => models[name] !== undefined,
    async infer(model, request, _context: InferContext): Promise<InferResponse> {
      const fake = models[model.name];
      if (fake === undefined) {
        throw new Error(`unknown model ${model.name}`);
      }
      calls.set(model.name, (calls.get(model.name) ?? 0) + 1);
      if (fake.delayMs !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
      }
      return { modelName: model.name, outputs: fake.run(request.inputs) };
    },
    describe: () => undefined,
    repositoryIndex: () => [],
    repositoryLoad: unsupported,
    repositoryUnload: unsupported,
    statistics: () => [],
  };
}
