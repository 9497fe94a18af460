import type { Datatype, InferResponse, Parameters, Tensor, TensorDataMap } from "@tensorwire/codec";
import { InferenceError } from "./inference-error.js";

const utf8 = new TextDecoder();

/**
 * An inference answer: outputs as typed arrays with their shapes (tritonclient's `InferResult`,
 * with `asTypedArray` for `as_numpy`), plus what the transport carried beside the body: response
 * headers (gRPC: headers and trailers), among them Seldon's `x-request-id` and echoed `x-` headers.
 *
 * @example
 * const result = await client.infer("iris", [inferInput("input", [1, 4], "FP32", [[5.1, 3.5, 1.4, 0.2]])]);
 * const labels = result.asTypedArray("predict", "INT64"); // BigInt64Array, typed by the datatype
 * const shape = result.output("predict")?.shape; // [1]
 * console.log(labels, shape, result.requestId);
 */
export class InferResult {
  /**
   * Wraps a decoded response; the clients build these, a test double may too.
   *
   * @param response - The decoded response.
   * @param headers - Response headers (gRPC: headers and trailers). Default none.
   */
  constructor(
    /** The decoded response, as the codec's `InferResponse`. */
    readonly response: InferResponse,
    /** The response headers (gRPC: headers and trailers together). */
    readonly headers: Headers = new Headers(),
  ) {}

  /** The name of the model that answered. */
  get modelName(): string {
    return this.response.modelName;
  }

  /** The version of the model that answered, if the server names it. */
  get modelVersion(): string | undefined {
    return this.response.modelVersion;
  }

  /** The OIP response `id` (echo of the request's). */
  get id(): string | undefined {
    return this.response.id;
  }

  /** The `x-request-id` response header (Seldon, tensorwire), else the response `id`. */
  get requestId(): string | undefined {
    return this.headers.get("x-request-id") ?? this.response.id;
  }

  /** The response's parameters. */
  get parameters(): Parameters | undefined {
    return this.response.parameters;
  }

  /** Every output, in the server's order. */
  get outputs(): readonly Tensor[] {
    return this.response.outputs;
  }

  /** The output of that name, or undefined. */
  output(name: string): Tensor | undefined {
    return this.response.outputs.find((t) => t.name === name);
  }

  /**
   * An output's data (BYTES: an array of byte strings). Throws when the output is missing or, if
   * `datatype` is given, has another datatype, so the returned type can be trusted.
   */
  asTypedArray<D extends Datatype = Datatype>(name: string, datatype?: D): TensorDataMap[D] {
    const tensor = this.output(name);
    if (tensor === undefined) {
      throw new InferenceError(
        "not_found",
        `no output '${name}' in the response: it has ${this.response.outputs.map((t) => `'${t.name}'`).join(", ") || "none"}`,
        { requestId: this.requestId },
      );
    }
    if (datatype !== undefined && tensor.datatype !== datatype) {
      throw new InferenceError(
        "invalid_argument",
        `output '${name}' is ${tensor.datatype}, not ${datatype}`,
        {
          requestId: this.requestId,
        },
      );
    }
    return tensor.data as TensorDataMap[D];
  }

  /** A BYTES output as UTF-8 strings. */
  asStrings(name: string): string[] {
    return this.asTypedArray(name, "BYTES").map((b) => utf8.decode(b));
  }

  /** Response headers whose name starts with `x-` (Seldon returns the request's `x-` headers). */
  xHeaders(): Record<string, string> {
    const out: Record<string, string> = {};
    this.headers.forEach((value, name) => {
      if (name.startsWith("x-")) {
        out[name] = value;
      }
    });
    return out;
  }
}
