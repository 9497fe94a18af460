import { readdir, realpath, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { TensorwireError } from "@tensorwire/codec";
import { defaultMaxConfigSize, readYamlFile } from "../core/yaml-file.js";
import type { RuntimeSpec } from "../runtime/runtime-spec.js";
import { type ModelConfig, parseModelConfig } from "./model-config.js";
import { checkModelName } from "./model-name.js";
import type { ModelDefinition, ModelSource } from "./model-source.js";
import { isWithin, modifiersFromConfig, runtimeSpecs } from "./runtime-spec-from-config.js";

export interface ModelRepositoryOptions {
  /** The repository directory: `<root>/<model>/config.yaml` and `<root>/<model>/<version>/model.onnx`. */
  readonly root: string;
  /**
   * The name of the model at the root itself (`<root>/model.onnx`, a config file beside it, or
   * both): KServe's storage initializer leaves a `storageUri` naming one file as
   * `<root>/<file name>`, and KServe passes the `InferenceService`'s name. Required when the root
   * holds such a model, ignored otherwise.
   */
  readonly modelName: string | undefined;
  /**
   * Lets a config's `model:` (or a symlinked model directory) point outside the repository.
   * Default false: a repository cannot make the server read arbitrary files.
   */
  readonly allowExternalPaths: boolean;
  /** Directories under which `runtime: module` models' modules may live; empty refuses every module. */
  readonly moduleRoots: readonly string[];
  /**
   * The largest config file read, in bytes; a larger one fails the model's load before it is
   * read. Default `defaultMaxConfigSize` (1 MiB).
   */
  readonly maxConfigSize?: number;
}

/** The config file names tried in order; YAML is a superset of JSON, so one parser reads all three. */
const configFiles = ["config.yaml", "config.yml", "config.json"] as const;
const versionPattern = /^[0-9]+$/;
const onnxFile = "model.onnx";
const onnxExtension = ".onnx";

/** Where a model's files are: a directory, the repository's root, or one `<name>.onnx` file there. */
type ModelPlace =
  | { readonly kind: "directory"; readonly path: string; readonly fingerprint: string }
  | { readonly kind: "root"; readonly fingerprint: string }
  | { readonly kind: "file"; readonly path: string; readonly fingerprint: string };

/**
 * A Triton-like model repository on disk. Each model is a directory holding an optional config
 * (see `ModelConfig`) and numeric version subdirectories; an ONNX version holds `model.onnx`.
 *
 * The root may also hold what KServe's storage initializer leaves of a `storageUri`: a bare
 * `model.onnx` (and/or a config file beside it) is one model, version 1, named `modelName`; any
 * other `<name>.onnx` file is one model, version 1, named by the file's stem. Such models take
 * their inputs and outputs from the ONNX graph, as configless directory models do.
 *
 * Directories and files whose names are not valid model names are skipped, not reported; two
 * models of one name (`add/` and `add.onnx`) are an error.
 */
export function createModelRepository(options: ModelRepositoryOptions): ModelSource {
  const root = resolve(options.root);
  const { modelName } = options;
  if (modelName !== undefined) {
    const checked = checkModelName(modelName);
    if (!checked.ok) {
      throw new TensorwireError("invalid_argument", `modelName: ${checked.error}`);
    }
  }

  /** Every model of the repository, by name. */
  const places = async (): Promise<Map<string, ModelPlace>> => {
    const found = new Map<string, ModelPlace>();
    const add = (name: string, place: ModelPlace) => {
      const other = found.get(name);
      if (other !== undefined) {
        throw new TensorwireError(
          "already_exists",
          `the model repository has two models named '${name}': ${describePlace(name, other)} and ${describePlace(name, place)}`,
        );
      }
      found.set(name, place);
    };
    const entries = await readdir(root, { withFileTypes: true });
    for (const entry of entries) {
      const path = join(root, entry.name);
      if ((entry.isDirectory() || entry.isSymbolicLink()) && checkModelName(entry.name).ok) {
        const fingerprint = await fingerprintOf(path);
        if (fingerprint !== undefined) {
          add(entry.name, { kind: "directory", path, fingerprint });
          continue;
        }
      }
      const stem = entry.name.slice(0, -onnxExtension.length);
      if (entry.name.endsWith(onnxExtension) && entry.name !== onnxFile && checkModelName(stem).ok) {
        const fingerprint = await fileFingerprint(path);
        if (fingerprint !== undefined) {
          add(stem, { kind: "file", path, fingerprint });
        }
      }
    }
    const rootFiles = [onnxFile, ...configFiles].filter((file) => entries.some((e) => e.name === file));
    if (rootFiles.length > 0) {
      if (modelName === undefined) {
        throw new TensorwireError(
          "invalid_argument",
          `the model repository '${root}' holds ${rootFiles.join(" and ")} at its root, a model that needs a name: give it with --model-name (TENSORWIRE_MODEL_NAME, KServe passes the InferenceService's name)`,
        );
      }
      const parts = await Promise.all(
        rootFiles.map(async (file) => `${file}:${(await fileFingerprint(join(root, file))) ?? "-"}`),
      );
      add(modelName, { kind: "root", fingerprint: parts.join("|") });
    }
    return found;
  };

  return {
    async scan() {
      return new Map([...(await places())].map(([name, place]) => [name, place.fingerprint]));
    },
    async resolve(name) {
      const checked = checkModelName(name);
      if (!checked.ok) {
        throw new TensorwireError("invalid_argument", checked.error);
      }
      const place = (await places()).get(name);
      if (place === undefined) {
        throw new TensorwireError(
          "not_found",
          `failed to load '${name}': no model directory or ${name}${onnxExtension} in the repository`,
        );
      }
      const realRoot = await realpath(root);
      if (place.kind === "file") {
        const model = await checkInside(name, realRoot, place.path, options.allowExternalPaths);
        const config = parseModelConfig({}, `model '${name}'`);
        return {
          name,
          config,
          versions: new Map([["1", { kind: "onnx", model }]]),
          modifiers: modifiersFromConfig(config),
          fingerprint: place.fingerprint,
        } satisfies ModelDefinition;
      }
      const modelDir = place.kind === "root" ? root : place.path;
      await checkInside(name, realRoot, modelDir, options.allowExternalPaths);
      const config = await readConfig(name, modelDir, options.maxConfigSize ?? defaultMaxConfigSize);
      // At the root, numbered directories are models of their own (Triton allows the name "1").
      const numbered =
        place.kind === "root"
          ? []
          : (await readdir(modelDir, { withFileTypes: true }))
              .filter((entry) => entry.isDirectory() && versionPattern.test(entry.name))
              .map((entry) => entry.name);
      let versions = new Map<string, RuntimeSpec>();
      if (config.runtime === "onnx") {
        const names =
          numbered.length === 0 && (config.model !== undefined || place.kind === "root") ? ["1"] : numbered;
        for (const version of names) {
          const file =
            config.model !== undefined
              ? resolve(modelDir, config.model)
              : place.kind === "root"
                ? join(root, onnxFile)
                : join(modelDir, version, onnxFile);
          versions.set(version, {
            kind: "onnx",
            model: await checkInside(name, realRoot, file, options.allowExternalPaths),
          });
        }
      } else {
        versions = await runtimeSpecs(name, config, numbered.length === 0 ? ["1"] : numbered, {
          baseDir: modelDir,
          directory: modelDir,
          moduleRoots: options.moduleRoots,
        });
      }
      return {
        name,
        config,
        versions,
        modifiers: modifiersFromConfig(config),
        fingerprint: place.fingerprint,
      } satisfies ModelDefinition;
    },
  };
}

/** The real path of a file or directory, refused when it lies outside the repository unless allowed. */
async function checkInside(
  name: string,
  realRoot: string,
  path: string,
  allowExternal: boolean,
): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    throw new TensorwireError(
      "not_found",
      `model '${name}': file '${path}' does not exist`,
      {},
      { cause: err },
    );
  }
  if (!allowExternal && !isWithin(realRoot, real)) {
    throw new TensorwireError(
      "permission_denied",
      `model '${name}': '${path}' resolves outside the model repository, which the server does not allow (see allowExternalPaths)`,
    );
  }
  return real;
}

async function readConfig(name: string, modelDir: string, maxSize: number): Promise<ModelConfig> {
  for (const file of configFiles) {
    const path = join(modelDir, file);
    if ((await stat(path).catch(() => undefined))?.isFile() !== true) {
      continue;
    }
    const where = `model '${name}' ${file}`;
    const documents = await readYamlFile(path, where, { maxSize });
    if (documents.length > 1) {
      throw new TensorwireError(
        "invalid_argument",
        `${where}: holds ${documents.length} YAML documents, expected one`,
      );
    }
    const raw = documents[0] ?? null;
    const config = parseModelConfig(raw, where);
    const declaredName = (raw as { name?: unknown } | null)?.name;
    if (declaredName !== undefined && declaredName !== name) {
      throw new TensorwireError(
        "invalid_argument",
        `${where}: name '${String(declaredName)}' differs from the model's name '${name}'`,
      );
    }
    return config;
  }
  return parseModelConfig({}, `model '${name}'`);
}

function describePlace(name: string, place: ModelPlace): string {
  return place.kind === "directory"
    ? `${name}/`
    : place.kind === "file"
      ? `${name}${onnxExtension}`
      : "the model at the root (--model-name)";
}

/** Size and modification time of a file; undefined when it is missing or not a file. */
async function fileFingerprint(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() === true ? `${info.mtimeMs}:${info.size}` : undefined;
}

/**
 * A summary of the model directory's files (config, version directories and their model files):
 * undefined when the directory does not exist.
 */
async function fingerprintOf(modelDir: string): Promise<string | undefined> {
  const info = await stat(modelDir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    return undefined;
  }
  const parts: string[] = [];
  for (const entry of await readdir(modelDir, { withFileTypes: true })) {
    const path = join(modelDir, entry.name);
    if (entry.isDirectory()) {
      const model = await stat(join(path, "model.onnx")).catch(() => undefined);
      parts.push(`${entry.name}/:${model?.mtimeMs ?? "-"}:${model?.size ?? "-"}`);
    } else {
      const file = await stat(path).catch(() => undefined);
      parts.push(`${entry.name}:${file?.mtimeMs ?? "-"}:${file?.size ?? "-"}`);
    }
  }
  return parts.sort().join("|");
}
