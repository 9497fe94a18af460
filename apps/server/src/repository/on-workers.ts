import type { InferenceWorkers } from "../runtime/inference-workers.js";
import type { RuntimeSpec } from "../runtime/runtime-spec.js";
import type { ModelSource } from "./model-source.js";

/** The source with every ONNX model version set to run on `workers`. */
export function onWorkers(source: ModelSource, workers: InferenceWorkers): ModelSource {
  return {
    scan: () => source.scan(),
    async resolve(name) {
      const definition = await source.resolve(name);
      const versions = new Map<string, RuntimeSpec>();
      for (const [version, spec] of definition.versions) {
        versions.set(version, spec.kind === "onnx" ? { ...spec, workers } : spec);
      }
      return { ...definition, versions };
    },
  };
}
