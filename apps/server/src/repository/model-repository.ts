import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { TensorwireError } from "@tensorwire/codec";
import type { RuntimeSpec } from "../runtime/runtime-spec.js";
import { type ModelConfig, parseModelConfig } from "./model-config.js";
import { checkModelName } from "./model-name.js";
import type { ModelDefinition, ModelSource } from "./model-source.js";
import { isWithin, modifiersFromConfig, runtimeSpecs } from "./runtime-spec-from-config.js";

export interface ModelRepositoryOptions {
  /** The repository directory: `<root>/<model>/config.yaml` and `<root>/<model>/<version>/model.onnx`. */
  readonly root: string;
  /**
   * Lets a config's `model:` (or a symlinked model directory) point outside the repository.
   * Default false: a repository cannot make the server read arbitrary files.
   */
  readonly allowExternalPaths: boolean;
  /** Directories under which `runtime: module` models' modules may live; empty refuses every module. */
  readonly moduleRoots: readonly string[];
}

/** The config file names tried in order; YAML is a superset of JSON, so one parser reads all three. */
const configFiles = ["config.yaml", "config.yml", "config.json"] as const;
const versionPattern = /^[0-9]+$/;

/**
 * A Triton-like model repository on disk. Each model is a directory holding an optional config
 * (see `ModelConfig`) and numeric version subdirectories; an ONNX version holds `model.onnx`.
 * Directories whose names are not valid model names are skipped, not reported.
 */
export function createModelRepository(options: ModelRepositoryOptions): ModelSource {
  const root = resolve(options.root);
  return {
    async scan() {
      const found = new Map<string, string>();
      for (const entry of await readdir(root, { withFileTypes: true })) {
        if ((entry.isDirectory() || entry.isSymbolicLink()) && checkModelName(entry.name).ok) {
          const fingerprint = await fingerprintOf(join(root, entry.name));
          if (fingerprint !== undefined) {
            found.set(entry.name, fingerprint);
          }
        }
      }
      return found;
    },
    async resolve(name) {
      const checked = checkModelName(name);
      if (!checked.ok) {
        throw new TensorwireError("invalid_argument", checked.error);
      }
      const modelDir = join(root, name);
      const fingerprint = await fingerprintOf(modelDir);
      if (fingerprint === undefined) {
        throw new TensorwireError(
          "not_found",
          `failed to load '${name}': no model directory in the repository`,
        );
      }
      const realRoot = await realpath(root);
      await checkInside(name, realRoot, modelDir, options.allowExternalPaths);
      const config = await readConfig(name, modelDir);
      const numbered = (await readdir(modelDir, { withFileTypes: true }))
        .filter((entry) => entry.isDirectory() && versionPattern.test(entry.name))
        .map((entry) => entry.name);
      let versions = new Map<string, RuntimeSpec>();
      if (config.runtime === "onnx") {
        const names = numbered.length === 0 && config.model !== undefined ? ["1"] : numbered;
        for (const version of names) {
          const file =
            config.model === undefined
              ? join(modelDir, version, "model.onnx")
              : resolve(modelDir, config.model);
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
        fingerprint,
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

async function readConfig(name: string, modelDir: string): Promise<ModelConfig> {
  for (const file of configFiles) {
    let text: string;
    try {
      text = await readFile(join(modelDir, file), "utf8");
    } catch {
      continue;
    }
    let raw: unknown;
    try {
      // Imported with the first config file: a server of in-memory models never needs a YAML parser.
      const { parse } = await import("yaml");
      raw = parse(text);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new TensorwireError(
        "invalid_argument",
        `model '${name}' ${file}: ${message}`,
        {},
        { cause: err },
      );
    }
    const where = `model '${name}' ${file}`;
    const config = parseModelConfig(raw, where);
    const declaredName = (raw as { name?: unknown } | null)?.name;
    if (declaredName !== undefined && declaredName !== name) {
      throw new TensorwireError(
        "invalid_argument",
        `${where}: name '${String(declaredName)}' differs from the directory name`,
      );
    }
    return config;
  }
  return parseModelConfig({}, `model '${name}'`);
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
