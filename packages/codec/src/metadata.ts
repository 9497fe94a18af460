import type { Datatype } from "./datatype.js";

/**
 * What a server says about itself (OIP `GET /v2`, gRPC `ServerMetadata`).
 *
 * @example
 * const server: ServerMetadata = { name: "tensorwire", version: "0.1.0", extensions: ["binary_tensor_data"] };
 */
export interface ServerMetadata {
  /** The server's name. */
  readonly name: string;
  /** The server's version. */
  readonly version: string;
  /** The protocol extensions the server supports, e.g. `binary_tensor_data`. */
  readonly extensions: readonly string[];
}

/**
 * One input or output as a model declares it (OIP `$metadata_tensor`). The JSON dialects that
 * carry no datatype (KServe V1, TF-Serving, Seldon v1, pandas records) take a list of these to
 * decode values into the model's datatypes and check shapes.
 */
export interface TensorMetadata {
  /** The tensor's name. */
  readonly name: string;
  /** The tensor's datatype. */
  readonly datatype: Datatype;
  /** The tensor's shape; -1 marks a variable dimension. */
  readonly shape: readonly number[];
}

/**
 * What a server says about one model (OIP `GET /v2/models/{name}`, gRPC `ModelMetadata`).
 *
 * @example
 * const iris: ModelMetadata = {
 *   name: "iris",
 *   versions: ["1"],
 *   platform: "onnx",
 *   inputs: [{ name: "x", datatype: "FP32", shape: [-1, 4] }],
 *   outputs: [{ name: "label", datatype: "INT64", shape: [-1] }],
 * };
 */
export interface ModelMetadata {
  /** The model's name. */
  readonly name: string;
  /** The versions the server has of it. */
  readonly versions: readonly string[];
  /** The framework that runs it, e.g. `onnx` or `onnxruntime_onnx`. */
  readonly platform: string;
  /** The inputs the model takes. */
  readonly inputs: readonly TensorMetadata[];
  /** The outputs the model produces. */
  readonly outputs: readonly TensorMetadata[];
}
