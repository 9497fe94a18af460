import { readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { TensorwireError } from "@tensorwire/codec";
import { parseAllDocuments } from "yaml";
import { defaultMaxConfigSize, readYamlFile } from "../core/yaml-file.js";
import { checkUniquePipelines, type PipelineSpec, parsePipelineSpec } from "./pipeline-spec.js";

const yamlExtensions = new Set([".yaml", ".yml", ".json"]);

/**
 * Reads every `kind: Pipeline` document of a YAML text. Other kinds are skipped, so Seldon's
 * example files, which put `Model` and `Pipeline` resources in one stream, load as they are.
 */
export function parsePipelines(text: string, source = "pipeline file"): PipelineSpec[] {
  const documents: unknown[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new TensorwireError("invalid_argument", `${source}: ${doc.errors[0]?.message}`);
    }
    documents.push(doc.toJS());
  }
  return pipelinesOf(documents);
}

function pipelinesOf(documents: readonly unknown[]): PipelineSpec[] {
  const pipelines: PipelineSpec[] = [];
  for (const value of documents) {
    if (typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "Pipeline") {
      pipelines.push(parsePipelineSpec(value));
    }
  }
  return pipelines;
}

/**
 * Loads pipelines from files and directories (`*.yaml`, `*.yml`, `*.json`, not recursive), in
 * name order. Two pipelines of one name are an error rather than a silent override. A file larger
 * than `maxSize` bytes (default `defaultMaxConfigSize`) is refused before it is read; files are
 * parsed off the event loop (`readYamlFile`).
 */
export async function loadPipelines(
  paths: readonly string[],
  maxSize = defaultMaxConfigSize,
): Promise<PipelineSpec[]> {
  const files: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      const names = (await readdir(path)).filter((n) => yamlExtensions.has(extname(n))).sort();
      files.push(...names.map((n) => join(path, n)));
    } else {
      files.push(path);
    }
  }
  const pipelines: PipelineSpec[] = [];
  for (const file of files) {
    pipelines.push(...pipelinesOf(await readYamlFile(file, file, { maxSize })));
  }
  checkUniquePipelines(pipelines);
  return pipelines;
}
