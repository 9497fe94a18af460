import type { Parameters, RequestedOutput } from "@tensorwire/codec";

export interface RequestedOutputOptions {
  /** REST: return this output as binary data (Triton's `binary_data`). Ignored on gRPC. */
  readonly binary?: boolean;
  /** Return the top N classes as BYTES "value:index[:label]" (Triton's classification extension). */
  readonly classification?: number;
  /** Any other per-output parameters. */
  readonly parameters?: Parameters;
}

/** An output to return, with its options: tritonclient's `InferRequestedOutput` as a value. */
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
