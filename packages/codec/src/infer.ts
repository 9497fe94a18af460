import type { Parameters, Tensor } from "./tensor.js";

/**
 * An output the client asks for, with its parameters (e.g. Triton's `binary_data`).
 *
 * @example
 * const top3: RequestedOutput = { name: "probabilities", parameters: { classification: 3 } };
 */
export interface RequestedOutput {
  /** The output's name, as the model's metadata lists it. */
  readonly name: string;
  /** Per-output parameters; absent means the server's defaults. */
  readonly parameters?: Parameters;
}

/**
 * An inference request in any OIP format: every request decoder returns one, every request
 * encoder takes one. REST carries the model name and version in the URL, so REST decoders leave
 * them unset and REST encoders ignore them; gRPC carries them in the message.
 *
 * @example
 * const request: InferRequest = {
 *   modelName: "iris",
 *   inputs: [createTensor({ name: "x", datatype: "FP32", shape: [1, 4], data: new Float32Array(4) })],
 * };
 */
export interface InferRequest {
  /** The model to run; required on gRPC, taken from the URL on REST. */
  readonly modelName?: string;
  /** The model version; absent means the server's default (latest ready) version. */
  readonly modelVersion?: string;
  /** The request id, echoed in the response. */
  readonly id?: string;
  /** Request parameters. */
  readonly parameters?: Parameters;
  /** The input tensors, with distinct names. */
  readonly inputs: readonly Tensor[];
  /** Absent: all outputs with default settings. */
  readonly outputs?: readonly RequestedOutput[];
}

/** An inference response in any OIP format: what response decoders return and encoders take. */
export interface InferResponse {
  /** The model that answered. */
  readonly modelName: string;
  /** Absent (REST) or empty (gRPC) for servers without versions. */
  readonly modelVersion?: string;
  /** The request's id, echoed. */
  readonly id?: string;
  /** Response parameters. */
  readonly parameters?: Parameters;
  /** The output tensors, with distinct names. */
  readonly outputs: readonly Tensor[];
}
