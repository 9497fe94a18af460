import { resolve } from "node:path";
import { TensorwireError } from "@tensorwire/codec";
import type { ModelRuntimeFactory } from "../core/model-runtime.js";
import type { RuntimeSpec } from "../runtime/runtime-spec.js";
import { type ModelConfig, parseModelConfig } from "./model-config.js";
import { checkModelName } from "./model-name.js";
import type { ModelDefinition, ModelSource } from "./model-source.js";
import { modifiersFromConfig, runtimeSpecs } from "./runtime-spec-from-config.js";

/**
 * A model given in memory rather than on disk: tests, embedding, the default zoo. It is an ONNX
 * model (`onnx`), a model written in TypeScript (`runtime`), or what its `config` says (a mock, or
 * `runtime: "module"` naming a module).
 *
 * @example
 * ```ts
 * import { tfsimpleModel } from "@tensorwire/models";
 * import { defineModel, type ModelDeclaration } from "@tensorwire/server";
 *
 * const doubler = defineModel({
 *   inputs: [{ name: "x", datatype: "FP32", shape: [-1] }],
 *   outputs: [{ name: "y", datatype: "FP32", shape: [-1] }],
 *   infer: ({ x }) => ({ y: { shape: x.shape, data: x.data.map((v) => v * 2) } }),
 * });
 * const models: ModelDeclaration[] = [
 *   { name: "tfsimple", onnx: tfsimpleModel().onnx },
 *   // The config's latency applies to a TypeScript model as to any model.
 *   { name: "doubler", runtime: doubler, config: { latency: { distribution: "fixed", ms: 5 } } },
 *   { name: "echo", config: { runtime: "echo", inputs: [{ name: "x", datatype: "FP32", shape: [-1] }] } },
 * ];
 * ```
 */
export interface ModelDeclaration {
  /** The model's name. */
  readonly name: string;
  /** The same keys as a repository's config.yaml (see `ModelConfig`), as a plain object. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** An ONNX model: its bytes for version "1", or bytes per version. */
  readonly onnx?: Uint8Array | Readonly<Record<string, Uint8Array>>;
  /**
   * A model written in TypeScript, served as version "1": `defineModel(...)`, or any factory of a
   * `ModelRuntime`. The config may not name another runtime.
   */
  readonly runtime?: ModelRuntimeFactory;
}

export interface MemorySourceOptions {
  /** As `ModelRepositoryOptions.moduleRoots`; relative module paths resolve from the cwd. */
  readonly moduleRoots: readonly string[];
}

/** A source over declarations, checked up front so a bad declaration fails start-up, not a request. */
export async function createMemorySource(
  declarations: readonly ModelDeclaration[],
  options: MemorySourceOptions,
): Promise<ModelSource> {
  const definitions = new Map<string, ModelDefinition>();
  for (const declaration of declarations) {
    const model = await definitionOf(declaration, options);
    if (definitions.has(model.name)) {
      throw new TensorwireError("already_exists", `model '${model.name}' is declared twice`);
    }
    definitions.set(model.name, model);
  }
  return {
    async scan() {
      return new Map([...definitions.keys()].map((name) => [name, "memory"]));
    },
    async resolve(name) {
      const definition = definitions.get(name);
      if (definition === undefined) {
        throw new TensorwireError("not_found", `failed to load '${name}': no such model declared`);
      }
      return definition;
    },
  };
}

async function definitionOf(
  declaration: ModelDeclaration,
  options: MemorySourceOptions,
): Promise<ModelDefinition> {
  const { name, onnx, runtime } = declaration;
  const checked = checkModelName(name);
  if (!checked.ok) {
    throw new TensorwireError("invalid_argument", checked.error);
  }
  const where = `model '${name}' config`;
  if (runtime !== undefined) {
    if (typeof runtime !== "function") {
      throw new TensorwireError("invalid_argument", `model '${name}': runtime must be a ModelRuntimeFactory`);
    }
    for (const key of ["runtime", "module"]) {
      if (declaration.config?.[key] !== undefined) {
        throw new TensorwireError(
          "invalid_argument",
          `${where}: ${key}: a model given as a runtime takes none`,
        );
      }
    }
    if (onnx !== undefined) {
      throw new TensorwireError(
        "invalid_argument",
        `model '${name}': give a runtime or ONNX bytes, not both`,
      );
    }
    const config = parseModelConfig({ ...declaration.config, runtime: "module" }, where);
    const spec: RuntimeSpec = {
      kind: "module",
      factory: runtime,
      context: { name, version: "1", directory: undefined },
    };
    return definition(name, config, new Map([["1", spec]]));
  }
  const config = parseModelConfig(declaration.config ?? {}, where);
  let versions = new Map<string, RuntimeSpec>();
  if (config.runtime === "onnx") {
    if (onnx === undefined) {
      throw new TensorwireError("invalid_argument", `${where}: an onnx model needs its bytes`);
    }
    const byVersion = onnx instanceof Uint8Array ? { "1": onnx } : onnx;
    for (const [version, bytes] of Object.entries(byVersion)) {
      if (!/^[0-9]+$/.test(version)) {
        throw new TensorwireError("invalid_argument", `${where}: version '${version}' is not a number`);
      }
      versions.set(version, { kind: "onnx", model: bytes });
    }
  } else {
    versions = await runtimeSpecs(name, config, ["1"], {
      baseDir: resolve("."),
      directory: undefined,
      moduleRoots: options.moduleRoots,
    });
  }
  return definition(name, config, versions);
}

function definition(
  name: string,
  config: ModelConfig,
  versions: ReadonlyMap<string, RuntimeSpec>,
): ModelDefinition {
  return { name, config, versions, modifiers: modifiersFromConfig(config), fingerprint: "memory" };
}

/** Several sources as one; the first source that has a name wins it. */
export function combineSources(sources: readonly ModelSource[]): ModelSource {
  return {
    async scan() {
      const found = new Map<string, string>();
      for (const source of sources) {
        for (const [name, fingerprint] of await source.scan()) {
          if (!found.has(name)) {
            found.set(name, fingerprint);
          }
        }
      }
      return found;
    },
    async resolve(name) {
      for (const source of sources) {
        if ((await source.scan()).has(name)) {
          return source.resolve(name);
        }
      }
      throw new TensorwireError(
        "not_found",
        `failed to load '${name}': no such model in the model repository`,
      );
    },
  };
}
