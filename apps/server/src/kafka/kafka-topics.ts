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
  /**
   * On a pipeline step's message on its model's topics: the step's name. Two steps may call one
   * model under one request id (tfsimples), so the pipeline and request id alone cannot tell
   * their answers apart.
   */
  step: "pipeline-step",
  /** Seldon's: on pipeline outputs and the step messages of a pipeline. */
  pipelineVersion: "x-pipeline-version",
  /** On an output that carries a failure instead of a response: the error message. */
  error: "error",
  /** With `error`: the TensorwireError code (`invalid_argument`, `not_found`, ...). */
  errorCode: "error-code",
} as const;

/**
 * Kafka headers as the client sends them. Built from a string map so that setting a header twice
 * replaces it: Buffer keys compare by identity, and a repeated key would go out twice.
 */
export function bufferHeaders(headers: ReadonlyMap<string, string>): Map<Buffer, Buffer> {
  return new Map([...headers].map(([name, value]) => [Buffer.from(name), Buffer.from(value)]));
}
