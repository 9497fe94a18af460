import type { Parameters, RequestedOutput } from "@tensorwire/codec";

/**
 * Options of `requestedOutput`.
 *
 * @example
 * const top3 = requestedOutput("probabilities", { classification: 3 });
 */
export interface RequestedOutputOptions {
  /** REST: return this output as binary data (Triton's `binary_data`). Ignored on gRPC. Default: the client's `binaryData`. */
  readonly binary?: boolean;
  /** Return the top N classes as BYTES "value:index[:label]" (Triton's classification extension). Default: the tensor. */
  readonly classification?: number;
  /** Any other per-output parameters. Default none. */
  readonly parameters?: Parameters;
}

/**
 * An output to return, with its options: tritonclient's `InferRequestedOutput` as a value. Pass a
 * list of them as `outputs` to `infer`; without one, a server returns every output.
 *
 * @example
 * import { createOipClient, inferInput, requestedOutput } from "@tensorwire/client";
 *
 * const client = createOipClient("http://localhost:8080");
 * const input = inferInput("input", [1, 4], "FP32", [[5.1, 3.5, 1.4, 0.2]]);
 * const result = await client.infer("iris", [input], {
 *   outputs: [requestedOutput("predict"), requestedOutput("predict_proba", { binary: true })],
 * });
 */
export function requestedOutput(name: string, options: RequestedOutputOptions = {}): RequestedOutput {
  const parameters: Record<string, Parameters[string]> = { ...options.parameters };
  if (options.binary !== undefined) {
    parameters.binary_data = options.binary;
  }
  if (options.classification !== undefined) {
    parameters.classification = options.classification;
  }
  return Object.freeze(
    Object.keys(parameters).length === 0 ? { name } : { name, parameters: Object.freeze(parameters) },
  );
}
