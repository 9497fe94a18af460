import type { DataPlane } from "../core/data-plane.js";
import { seldonName } from "../core/infer-target.js";
import type { InferenceLogger } from "./create-inference-logger.js";

/**
 * Decorates a data plane so that every `infer`, by any protocol, is handed to the logger after it
 * finishes, failures included. The logger only queues, so the answer is not delayed and a logging
 * fault cannot fail it.
 */
export function createInferenceLogDataPlane(inner: DataPlane, logger: InferenceLogger): DataPlane {
  return {
    ...inner,
    async infer(target, request, context) {
      const timestamp = Date.now();
      const base = {
        // One name per record, as Seldon addresses the target: `<pipeline>.pipeline` for a pipeline.
        modelName: seldonName(target),
        modelVersion: target.kind === "pipeline" ? undefined : target.version,
        requestId: context.requestId,
        timestamp,
        request,
      };
      try {
        const response = await inner.infer(target, request, context);
        logger.log({ ...base, outcome: { response } });
        return response;
      } catch (error) {
        logger.log({ ...base, outcome: { error } });
        throw error;
      }
    },
  };
}
