import { resolve } from "node:path";
import { TensorwireError } from "@tensorwire/codec";
import type { RuntimeSpec } from "../runtime/runtime-spec.js";
import { parseModelConfig } from "./model-config.js";
import { checkModelName } from "./model-name.js";
import type { ModelDefinition, ModelSource } from "./model-source.js";
import { mockRuntimeSpec, modifiersFromConfig } from "./runtime-spec-from-config.js";

/** A model given in memory rather than on disk: tests, embedding, the default zoo. */
export interface ModelDeclaration {
  readonly name: string;
  /** The same keys as a repository's config.yaml (see `ModelConfig`), as a plain object. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** An ONNX model: its bytes for version "1", or bytes per version. */
  readonly onnx?: Uint8Array | Readonly<Record<string, Uint8Array>>;
}

export interface MemorySourceOptions {
  /** As `ModelRepositoryOptions.functionModuleRoots`; relative module paths resolve from the cwd. */
  readonly functionModuleRoots: readonly string[];
}

/** A source over declarations, checked up front so a bad declaration fails start-up, not a request. */
export async function createMemorySource(
  declarations: readonly ModelDeclaration[],
  options: MemorySourceOptions,
): Promise<ModelSource> {
  const definitions = new Map<string, ModelDefinition>();
  for (const declaration of declarations) {
    const definition = await defineModel(declaration, options);
    if (definitions.has(definition.name)) {
      throw new TensorwireError("already_exists", `model '${definition.name}' is declared twice`);
    }
    definitions.set(definition.name, definition);
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

async function defineModel(
  declaration: ModelDeclaration,
  options: MemorySourceOptions,
): Promise<ModelDefinition> {
  const { name, onnx } = declaration;
  const checked = checkModelName(name);
  if (!checked.ok) {
    throw new TensorwireError("invalid_argument", checked.error);
  }
  const where = `model '${name}' config`;
  const config = parseModelConfig(declaration.config ?? {}, where);
  const versions = new Map<string, RuntimeSpec>();
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
    versions.set("1", await mockRuntimeSpec(name, config, resolve("."), options.functionModuleRoots));
  }
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
