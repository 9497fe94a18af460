import { invalidArgument, TensorwireError } from "../error.js";
import type { InferRequest, InferResponse } from "../infer.js";
import { describeValue } from "../internal/describe-value.js";
import { tensorFromRawContents, tensorToRawContents } from "../internal/raw-contents.js";
import { parseJsonText, stringifyJsonText } from "../json-text.js";
import type { Parameters, Tensor } from "../tensor.js";
import {
  type RestInferRequest,
  type RestInferResponse,
  type RestTensor,
  requestFromJson,
  requestToJson,
  responseFromJson,
  responseToJson,
  type TensorFromJson,
  tensorFromJsonData,
  tensorHeaderFromJson,
  tensorToJson,
} from "./rest-json.js";

/**
 * Triton's binary tensor data extension for REST: a JSON header immediately followed by the binary
 * data of some tensors, its length in the `Inference-Header-Content-Length` HTTP header. A binary
 * tensor has `parameters.binary_data_size` instead of `data`; blobs follow in the order of the
 * tensors in the JSON, and tensors with JSON `data` take none. Blob bytes are raw contents
 * (little-endian; BYTES length-prefixed). Decoded data are views into the body where alignment
 * allows, so the caller must leave the body unchanged afterwards.
 */

/** An encoded body, in pieces so that tensor data is written to the socket without a copy. */
export interface BinaryBody {
  /** The JSON header, then each binary tensor's bytes. */
  readonly chunks: readonly Uint8Array[];
  /** The value of `Inference-Header-Content-Length`; undefined when no tensor is binary (plain JSON). */
  readonly headerLength: number | undefined;
  /** The sum of the chunks' lengths: the body's `Content-Length`. */
  readonly byteLength: number;
}

/** Options of `encodeBinaryRequest`. */
export interface BinaryRequestOptions {
  /**
   * Which inputs to send as binary data. Default: all of them, which is what the extension is for;
   * JSON data suits only small tensors a human should read.
   */
  readonly binaryInput: (tensor: Tensor) => boolean;
}

const defaultRequestOptions: BinaryRequestOptions = { binaryInput: () => true };

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** One contiguous body, for transports that cannot write chunks. */
export function joinBinaryBody(body: BinaryBody): Uint8Array {
  if (body.chunks.length === 1) {
    return body.chunks[0] as Uint8Array;
  }
  const out = new Uint8Array(body.byteLength);
  let pos = 0;
  for (const chunk of body.chunks) {
    out.set(chunk, pos);
    pos += chunk.length;
  }
  return out;
}

/**
 * Server side: reads a request body. `headerLength` is the `Inference-Header-Content-Length`
 * header as received (string) or parsed (number); absent means the whole body is JSON.
 */
export function decodeBinaryRequest(
  body: Uint8Array,
  headerLength: number | string | undefined,
): InferRequest {
  const { json, tail } = splitBody(body, headerLength);
  const blobs = new BlobReader(tail);
  const request = requestFromJson(json, blobs.readTensor);
  blobs.finish();
  return request;
}

/** Client side: reads a response body, as `decodeBinaryRequest` reads a request. */
export function decodeBinaryResponse(
  body: Uint8Array,
  headerLength: number | string | undefined,
): InferResponse {
  const { json, tail } = splitBody(body, headerLength);
  const blobs = new BlobReader(tail);
  const response = responseFromJson(json, blobs.readTensor);
  blobs.finish();
  return response;
}

/**
 * Client side: writes a request body with the chosen inputs as binary data. Send the chunks as the
 * body and `headerLength`, when defined, as `Inference-Header-Content-Length`.
 *
 * @example
 * const x = createTensor({ name: "x", datatype: "FP32", shape: [1, 2], data: Float32Array.of(1, 2) });
 * const body = encodeBinaryRequest({ inputs: [x] });
 * const decoded = decodeBinaryRequest(joinBinaryBody(body), body.headerLength);
 */
export function encodeBinaryRequest(
  request: InferRequest,
  options: Partial<BinaryRequestOptions> = {},
): BinaryBody {
  const { binaryInput } = { ...defaultRequestOptions, ...options };
  const blobs: Uint8Array[] = [];
  const inputs = request.inputs.map((t) => (binaryInput(t) ? binaryTensorJson(t, blobs) : tensorToJson(t)));
  return frame(requestToJson(request, inputs), blobs);
}

/**
 * Server side: writes a response body. An output is binary if the request's requested output says
 * `binary_data: true`, or, without that parameter, if the request says `binary_data_output: true`;
 * otherwise its data is JSON (Triton's rules).
 */
export function encodeBinaryResponse(
  response: InferResponse,
  request: Pick<InferRequest, "parameters" | "outputs"> = {},
): BinaryBody {
  const allBinary = booleanParameter(request.parameters, "binary_data_output", undefined) ?? false;
  const blobs: Uint8Array[] = [];
  const outputs = response.outputs.map((t) => {
    const requested = request.outputs?.find((o) => o.name === t.name);
    const binary = booleanParameter(requested?.parameters, "binary_data", t.name) ?? allBinary;
    return binary ? binaryTensorJson(t, blobs) : tensorToJson(t);
  });
  return frame(responseToJson(response, outputs), blobs);
}

function booleanParameter(parameters: Parameters | undefined, key: string, tensor: string | undefined) {
  const value = parameters?.[key];
  if (value !== undefined && typeof value !== "boolean") {
    const where = tensor === undefined ? "" : `output '${tensor}': `;
    throw invalidArgument(`${where}parameter '${key}' must be a boolean, got ${describeValue(value)}`, {
      tensor,
      field: "parameters",
    });
  }
  return value;
}

function binaryTensorJson(tensor: Tensor, blobs: Uint8Array[]): RestTensor {
  const blob = tensorToRawContents(tensor);
  blobs.push(blob);
  return {
    name: tensor.name,
    shape: [...tensor.shape],
    datatype: tensor.datatype,
    parameters: { ...tensor.parameters, binary_data_size: blob.length },
  };
}

function frame(json: RestInferRequest | RestInferResponse, blobs: Uint8Array[]): BinaryBody {
  const header = utf8Encoder.encode(headerText(json));
  let byteLength = header.length;
  for (const blob of blobs) {
    byteLength += blob.length;
  }
  return {
    chunks: [header, ...blobs],
    headerLength: blobs.length === 0 ? undefined : header.length,
    byteLength,
  };
}

/**
 * JSON.stringify is several times faster than stringifyJsonText but throws on bigint and writes -0
 * as 0, so it writes only headers without JSON data or bigint values.
 */
function headerText(json: RestInferRequest | RestInferResponse): string {
  const tensors = "inputs" in json ? json.inputs : json.outputs;
  if (tensors.every((t) => t.data === undefined)) {
    try {
      return JSON.stringify(json);
    } catch {
      // A bigint parameter: fall through to the exact writer.
    }
  }
  // `as never`: the REST types are JsonValue-compatible but TypeScript cannot see an interface as an
  // index signature.
  return stringifyJsonText(json as never);
}

function splitBody(
  body: Uint8Array,
  headerLength: number | string | undefined,
): { json: unknown; tail: Uint8Array } {
  const length = parseHeaderLength(headerLength, body.length);
  if (length === 0) {
    // Triton's raw binary request: the body is one input's bytes, named by the model's metadata,
    // which a codec does not have.
    throw new TensorwireError(
      "unimplemented",
      "Inference-Header-Content-Length 0 (a raw binary request) is not supported: send a JSON header",
      { field: "Inference-Header-Content-Length" },
    );
  }
  let text: string;
  try {
    text = utf8Decoder.decode(body.subarray(0, length));
  } catch {
    throw invalidArgument("the JSON header of the body is not valid UTF-8", { field: "body" });
  }
  return { json: parseJsonText(text), tail: body.subarray(length) };
}

function parseHeaderLength(value: number | string | undefined, bodyLength: number): number {
  if (value === undefined) {
    return bodyLength;
  }
  const n = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n)) {
    throw invalidArgument(`Unable to parse Inference-Header-Content-Length, got: ${describeValue(value)}`, {
      field: "Inference-Header-Content-Length",
    });
  }
  if (n < 0 || n > bodyLength) {
    throw invalidArgument(
      `Inference-Header-Content-Length must be in the range [0, ${bodyLength}] (the body length), got ${n}`,
      { field: "Inference-Header-Content-Length" },
    );
  }
  return n;
}

/** Hands out the binary tail's blobs, in order, to the tensors that declare `binary_data_size`. */
class BlobReader {
  private pos = 0;

  constructor(private readonly tail: Uint8Array) {}

  readonly readTensor: TensorFromJson = (json, where) => {
    const header = tensorHeaderFromJson(json, where);
    const { name } = header;
    const size = header.parameters?.binary_data_size;
    if (size === undefined) {
      if (!("data" in header.json)) {
        throw invalidArgument(`tensor '${name}': missing data (or parameters.binary_data_size)`, {
          tensor: name,
          field: "data",
        });
      }
      return tensorFromJsonData(header, header.json.data);
    }
    if ("data" in header.json) {
      throw invalidArgument(`tensor '${name}': has both data and parameters.binary_data_size`, {
        tensor: name,
        field: "data",
      });
    }
    const n = typeof size === "bigint" ? Number(size) : size;
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
      throw invalidArgument(
        `tensor '${name}': parameters.binary_data_size must be a non-negative integer, got ${describeValue(size)}`,
        { tensor: name, field: "parameters" },
      );
    }
    const remaining = this.tail.length - this.pos;
    if (n > remaining) {
      throw invalidArgument(
        `tensor '${name}': binary_data_size is ${n} bytes, but only ${remaining} bytes of binary data remain`,
        { tensor: name, field: "parameters" },
      );
    }
    const blob = this.tail.subarray(this.pos, this.pos + n);
    this.pos += n;
    // binary_data_size describes the framing, not the tensor: it is not kept among its parameters.
    const { binary_data_size: _, ...rest } = header.parameters as Parameters;
    const parameters = Object.keys(rest).length === 0 ? undefined : rest;
    return tensorFromRawContents({ ...header, parameters }, blob);
  };

  finish(): void {
    if (this.pos !== this.tail.length) {
      throw invalidArgument(
        `the body has ${this.tail.length} bytes of binary data after the JSON header, but binary_data_size values add up to ${this.pos}`,
        { field: "binary_data_size" },
      );
    }
  }
}
