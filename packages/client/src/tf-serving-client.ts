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
import type { HttpClient, HttpResponse } from "./http-client.js";
import { type InferInput, inputTensor } from "./infer-input.js";
import { InferenceError } from "./inference-error.js";
import { createRestCaller } from "./rest-caller.js";

/** Which servable: the latest version (default), a version number or a label. */
export interface ServableOptions extends CallOptions {
  readonly version?: number | string;
  readonly label?: string;
  readonly signatureName?: string;
}

export interface TfPredictOptions extends ServableOptions {
  /** "columnar" (default; any dim 0 and rank 0) or "row" (`instances`, shared dim 0). */
  readonly format?: TfServingFormat;
  /** The signature's outputs, for names and datatypes of the answer. Default: inferred from JSON. */
  readonly outputMetadata?: readonly TensorMetadata[];
}

/** A tf.Example as JSON: feature name → value or list; bytes are sent as `{"b64": ...}`. */
export type TfExample = {
  readonly [feature: string]:
    | number
    | string
    | boolean
    | Uint8Array
    | readonly (number | string | Uint8Array)[];
};

export interface TfExamplesOptions extends ServableOptions {
  /** Features shared by every example (must not appear in them). */
  readonly context?: TfExample;
}

export interface TfServingClient {
  predict(
    model: string,
    inputs: readonly InferInput[],
    options?: TfPredictOptions,
  ): Promise<TfServingMessage>;
  /** One list of [label, score] per example. */
  classify(
    model: string,
    examples: readonly TfExample[],
    options?: TfExamplesOptions,
  ): Promise<[string, number][][]>;
  /** One value per example. */
  regress(model: string, examples: readonly TfExample[], options?: TfExamplesOptions): Promise<number[]>;
  /** `GET /v1/models/{model}`: the versions and their states. */
  modelStatus(model: string, options?: ServableOptions): Promise<JsonValue>;
  close(): Promise<void>;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** TensorFlow Serving's REST API (`api_rest.md`). */
export function createTfServingClient(
  baseUrl: string,
  partial: Partial<ClientOptions> = {},
  http?: HttpClient,
): TfServingClient {
  const options = makeClientOptions(partial);
  const rest = createRestCaller(baseUrl, options, http);

  const post = async (model: string, verb: string, body: JsonValue, o: ServableOptions) => {
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

function servablePath(model: string, o: ServableOptions): string {
  const name = `/v1/models/${encodeURIComponent(model)}`;
  if (o.version !== undefined && o.label !== undefined) {
    throw new InferenceError("invalid_argument", "give a version or a label, not both");
  }
  if (o.version !== undefined) {
    return `${name}/versions/${encodeURIComponent(String(o.version))}`;
  }
  return o.label === undefined ? name : `${name}/labels/${encodeURIComponent(o.label)}`;
}

function featureJson(value: TfExample[string]): JsonValue {
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

function exampleJson(example: TfExample): JsonValue {
  return Object.fromEntries(Object.entries(example).map(([k, v]) => [k, featureJson(v)]));
}

function examplesBody(examples: readonly TfExample[], o: TfExamplesOptions): JsonValue {
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
