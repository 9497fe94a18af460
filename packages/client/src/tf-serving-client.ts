import { base64Encode } from "@bufbuild/protobuf/wire";
import type { CallOptions } from "@connectrpc/connect";
import type { JsonValue, TensorMetadata } from "@tensorwire/codec";
import {
  decodeTfServingResponse,
  encodeTfServingRequest,
  parseTfServingJson,
  stringifyTfServingJson,
  type TfServingFormat,
  type TfServingMessage,
} from "@tensorwire/codec/tf-serving";
import { type ClientOptions, makeClientOptions } from "./client-options.js";
import type { HttpResponse } from "./http-client.js";
import { type InferInput, inputTensor } from "./infer-input.js";
import { InferenceError } from "./inference-error.js";
import { createRestCaller } from "./rest-caller.js";

/**
 * Options of `createTfServingClient`: the shared `ClientOptions`; TF-Serving has nothing of its own
 * to set.
 *
 * @example
 * const tf = createTfServingClient("http://localhost:8501", { timeoutMs: 5_000 });
 */
export type TfServingClientOptions = ClientOptions;

/**
 * Options of a TF-Serving call: which servable answers it.
 *
 * @example
 * const status = await tf.modelStatus("half_plus_two", { label: "stable" });
 */
export interface TfServingCallOptions extends CallOptions {
  /** A version number (`/versions/{n}`). Default: the latest version. */
  readonly version?: number | string;
  /** A version label (`/labels/{label}`); not with `version`. Default none. */
  readonly label?: string;
  /** The signature to call (`signature_name`). Default: the model's default signature. */
  readonly signatureName?: string;
}

/**
 * Options of a TF-Serving prediction.
 *
 * @example
 * const answer = await tf.predict("half_plus_two", [input], { format: "row", version: 2 });
 */
export interface TfServingPredictCallOptions extends TfServingCallOptions {
  /** "columnar" (default; any dim 0 and rank 0) or "row" (`instances`, shared dim 0). */
  readonly format?: TfServingFormat;
  /** The signature's outputs, for names and datatypes of the answer. Default: inferred from JSON. */
  readonly outputMetadata?: readonly TensorMetadata[];
}

/**
 * A tf.Example as JSON: feature name → value or list; bytes are sent as `{"b64": ...}`.
 *
 * @example
 * const example: TfServingExample = { sepal_length: 5.1, species: "setosa", raw: new Uint8Array([1, 2]) };
 */
export type TfServingExample = {
  readonly [feature: string]:
    | number
    | string
    | boolean
    | Uint8Array
    | readonly (number | string | Uint8Array)[];
};

/**
 * Options of `classify` and `regress`.
 *
 * @example
 * const scores = await tf.regress("housing", examples, { context: { city: "Paris" } });
 */
export interface TfServingExamplesCallOptions extends TfServingCallOptions {
  /** Features shared by every example (must not appear in them). Default none. */
  readonly context?: TfServingExample;
}

/**
 * A TensorFlow Serving REST client (see `createTfServingClient`).
 *
 * @example
 * const tf = createTfServingClient("http://localhost:8501");
 * const [scores] = await tf.classify("iris", [{ x: [5.1, 3.5, 1.4, 0.2] }]);
 * console.log(scores); // [["setosa", 0.97], ["versicolor", 0.02], ...]
 * await tf.close();
 */
export interface TfServingClient {
  /** `:predict` with the inputs in columnar (`inputs`) or row (`instances`) form. */
  predict(
    model: string,
    inputs: readonly InferInput[],
    options?: TfServingPredictCallOptions,
  ): Promise<TfServingMessage>;
  /** `:classify`: one list of [label, score] per example. */
  classify(
    model: string,
    examples: readonly TfServingExample[],
    options?: TfServingExamplesCallOptions,
  ): Promise<[string, number][][]>;
  /** `:regress`: one value per example. */
  regress(
    model: string,
    examples: readonly TfServingExample[],
    options?: TfServingExamplesCallOptions,
  ): Promise<number[]>;
  /** `GET /v1/models/{model}`: the versions and their states. */
  modelStatus(model: string, options?: TfServingCallOptions): Promise<JsonValue>;
  /** Closes the client's connections. */
  close(): Promise<void>;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * The TensorFlow Serving REST API client (`api_rest.md`) for the server at `baseUrl`: predict in
 * row or columnar form, classify, regress, model status; NaN and Infinity read as TF-Serving writes
 * them, bytes as `{"b64": ...}`.
 *
 * @example
 * import { createTfServingClient, inferInput } from "@tensorwire/client";
 *
 * const tf = createTfServingClient("http://localhost:8501");
 * const answer = await tf.predict("half_plus_two", [inferInput("x", [3], "FP32", [1, 2, 5])]);
 * console.log(answer.tensors[0]?.data); // [2.5, 3, 4.5]
 * await tf.close();
 */
export function createTfServingClient(
  baseUrl: string,
  options: Partial<TfServingClientOptions> = {},
): TfServingClient {
  const rest = createRestCaller(baseUrl, makeClientOptions(options));

  const post = async (model: string, verb: string, body: JsonValue, o: TfServingCallOptions) => {
    const path = `${servablePath(model, o)}:${verb}`;
    const res = await rest.call(
      {
        method: "POST",
        path,
        headers: { "content-type": "application/json" },
        body: [utf8.encode(stringifyTfServingJson(body))],
      },
      o,
    );
    return readTfJson(res, `POST ${path}`);
  };

  return {
    async predict(model, inputs, o = {}) {
      const body = encodeTfServingRequest(inputs.map(inputTensor), {
        format: o.format ?? "columnar",
        signatureName: o.signatureName,
      });
      return decodeTfServingResponse(await post(model, "predict", body, o), { metadata: o.outputMetadata });
    },

    async classify(model, examples, o = {}) {
      const json = await post(model, "classify", examplesBody(examples, o), o);
      const result = (json as { result?: unknown } | null)?.result;
      if (!Array.isArray(result)) {
        throw malformed("classify", json);
      }
      return result.map((perExample) =>
        (Array.isArray(perExample) ? perExample : []).map((pair): [string, number] => {
          const [label, score] = Array.isArray(pair) ? pair : [];
          return [String(label ?? ""), Number(score)];
        }),
      );
    },

    async regress(model, examples, o = {}) {
      const json = (await post(model, "regress", examplesBody(examples, o), o)) as Record<
        string,
        unknown
      > | null;
      // The doc's schema says "result", its curl example prints "results": accept both.
      const result = json?.result ?? json?.results;
      if (!Array.isArray(result)) {
        throw malformed("regress", json);
      }
      return result.map(Number);
    },

    async modelStatus(model, o = {}) {
      const path = servablePath(model, o);
      return readTfJson(await rest.call({ method: "GET", path }, o), `GET ${path}`);
    },

    close: () => rest.close(),
  };
}

function servablePath(model: string, o: TfServingCallOptions): string {
  const name = `/v1/models/${encodeURIComponent(model)}`;
  if (o.version !== undefined && o.label !== undefined) {
    throw new InferenceError("invalid_argument", "give a version or a label, not both");
  }
  if (o.version !== undefined) {
    return `${name}/versions/${encodeURIComponent(String(o.version))}`;
  }
  return o.label === undefined ? name : `${name}/labels/${encodeURIComponent(o.label)}`;
}

function featureJson(value: TfServingExample[string]): JsonValue {
  if (value instanceof Uint8Array) {
    return { b64: base64Encode(value) };
  }
  if (Array.isArray(value)) {
    return value.map((v: number | string | Uint8Array) =>
      v instanceof Uint8Array ? { b64: base64Encode(v) } : v,
    );
  }
  return value as JsonValue;
}

function exampleJson(example: TfServingExample): JsonValue {
  return Object.fromEntries(Object.entries(example).map(([k, v]) => [k, featureJson(v)]));
}

function examplesBody(examples: readonly TfServingExample[], o: TfServingExamplesCallOptions): JsonValue {
  return {
    ...(o.signatureName === undefined ? {} : { signature_name: o.signatureName }),
    ...(o.context === undefined ? {} : { context: exampleJson(o.context) }),
    examples: examples.map(exampleJson),
  };
}

/** TF-Serving writes NaN and Infinity as bare tokens, which JSON.parse refuses. */
function readTfJson(res: HttpResponse, what: string): JsonValue {
  const text = utf8Decoder.decode(res.body);
  try {
    return parseTfServingJson(text);
  } catch {
    throw new InferenceError("internal", `${what}: the server's answer is not JSON: ${text.slice(0, 200)}`, {
      status: res.status,
    });
  }
}

function malformed(verb: string, json: unknown): InferenceError {
  return new InferenceError("internal", `malformed ${verb} answer: ${JSON.stringify(json)?.slice(0, 200)}`);
}
