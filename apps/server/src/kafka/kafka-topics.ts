/**
 * Seldon Core v2's topic names: `seldon.<namespace>.<model|pipeline>.<name>.<inputs|outputs>`,
 * e.g. `seldon.default.model.iris.inputs`.
 */
export function topicName(
  namespace: string,
  kind: "model" | "pipeline",
  name: string,
  side: "inputs" | "outputs",
): string {
  return `seldon.${namespace}.${kind}.${name}.${side}`;
}

/** Kafka header keys this server reads or writes besides the propagated `x-` headers. */
export const kafkaHeaders = {
  requestId: "x-request-id",
  /** Seldon's: names the pipeline a message on a pipeline topic belongs to. */
  pipeline: "pipeline",
  /** On an output that carries a failure instead of a response: the error message. */
  error: "error",
  /** With `error`: the TensorwireError code (`invalid_argument`, `not_found`, ...). */
  errorCode: "error-code",
} as const;
