import type { Result } from "@tensorwire/codec";
import { pipelineSuffix } from "../core/infer-target.js";

// Letters, digits, '_', '.', '-': safe as one path segment and in a URL without escaping.
const modelNamePattern = /^[A-Za-z0-9_.-]+$/;

/** Checks a model name before it touches the file system or the registry. */
export function checkModelName(name: string): Result<string> {
  if (!modelNamePattern.test(name) || name === "." || name === "..") {
    return {
      ok: false,
      error: `invalid model name '${name}': expected letters, digits, '_', '.' or '-', and not '.' or '..'`,
    };
  }
  if (name.endsWith(pipelineSuffix)) {
    return {
      ok: false,
      error: `invalid model name '${name}': the suffix '${pipelineSuffix}' is reserved for pipelines`,
    };
  }
  return { ok: true, value: name };
}
