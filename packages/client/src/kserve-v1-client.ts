import type { CallOptions } from "@connectrpc/connect";
import type { JsonValue, TensorMetadata } from "@tensorwire/codec";
import { decodeKserveV1Response, encodeKserveV1Request } from "@tensorwire/codec/kserve-v1";
import { type ClientOptions, makeClientOptions } from "./client-options.js";
import { type InferInput, inputTensor } from "./infer-input.js";
import { InferResult } from "./infer-result.js";
import { InferenceError } from "./inference-error.js";
import { createRestCaller, jsonBody, parseJsonBody } from "./rest-caller.js";

/**
 * Options of `createKServeV1Client`: the shared `ClientOptions` (KServe's `RESTConfig`, in
 * tensorwire's option convention); KServe V1 has nothing of its own to set.
 *
 * @example
 * const client = createKServeV1Client("http://localhost:8080", { retries: 0, timeoutMs: 10_000 });
 */
export type KServeV1ClientOptions = ClientOptions;

/**
 * Options of one KServe V1 inference.
 *
 * @example
 * const result = await client.infer("iris", [input], {
 *   outputMetadata: [{ name: "predict", datatype: "INT64", shape: [-1] }],
 * });
 */
export interface KServeV1InferCallOptions extends CallOptions {
  /**
   * The model's outputs, to give the unnamed predictions names and datatypes. Default: one output,
   * `output-0`, whose datatype is read from the JSON values (numbers are FP64).
   */
  readonly outputMetadata?: readonly TensorMetadata[];
}

/**
 * Options of a KServe V1 call with a JSON body of the caller's.
 *
 * @example
 * const answer = await client.inferJson(undefined, { instances: [[1, 2]] }, { isGraphEndpoint: true });
 */
export interface KServeV1JsonCallOptions extends CallOptions {
  /**
   * POST to the base URL itself (an InferenceGraph's router, or any endpoint given whole); the
   * model name is then not needed. Default false.
   */
  readonly isGraphEndpoint?: boolean;
}

/**
 * KServe's V1 protocol, as its `InferenceRESTClient` offers it: inference, explanation, readiness
 * and liveness, and graph endpoints (see `createKServeV1Client`). KServe's V2 protocol is the Open
 * Inference Protocol: use `createOipClient`.
 *
 * @example
 * const client = createKServeV1Client("http://localhost:8080");
 * console.log(await client.listModels(), await client.isModelReady("iris"));
 * await client.close();
 */
export interface KServeV1Client {
  /** Typed inference: sends the inputs as `instances` rows to `:predict`, reads `predictions` back. */
  infer(
    model: string,
    inputs: readonly InferInput[],
    options?: KServeV1InferCallOptions,
  ): Promise<InferResult>;
  /** A JSON body sent as is to `:predict` (or to a graph endpoint); the JSON answer returned. */
  inferJson(
    model: string | undefined,
    body: JsonValue,
    options?: KServeV1JsonCallOptions,
  ): Promise<JsonValue>;
  /** `POST /v1/models/{model}:explain`. */
  explain(model: string, body: JsonValue, options?: CallOptions): Promise<JsonValue>;
  /** `GET /` answering `{"status": "alive"}`. */
  isServerLive(options?: CallOptions): Promise<boolean>;
  /** `GET /v1/models/{model}`: 503 means not ready, any other error is an error. */
  isModelReady(model: string, options?: CallOptions): Promise<boolean>;
  /** `GET /v1/models`: the names of the models the server has. */
  listModels(options?: CallOptions): Promise<string[]>;
  /** Closes the client's connections. */
  close(): Promise<void>;
}

/**
 * The KServe V1 protocol client for the server at `baseUrl` (`/v1/models/{name}:predict`,
 * `:explain`, readiness, the model list). A base path is kept as a prefix, as KServe's client does
 * (`https://host/serving` + `/v1/...`).
 *
 * @example
 * import { createKServeV1Client, inferInput } from "@tensorwire/client";
 *
 * const kserve = createKServeV1Client("http://localhost:8080");
 * const result = await kserve.infer("iris", [inferInput("input", [1, 4], "FP32", [[6.8, 2.8, 4.8, 1.4]])]);
 * // V1 JSON carries no datatypes: numbers read as FP64 unless `outputMetadata` says otherwise.
 * console.log(result.asTypedArray("output-0", "FP64"));
 * await kserve.close();
 */
export function createKServeV1Client(
  baseUrl: string,
  options: Partial<KServeV1ClientOptions> = {},
): KServeV1Client {
  const o = makeClientOptions(options);
  const rest = createRestCaller(baseUrl, o);
  const modelPath = (model: string) => `/v1/models/${encodeURIComponent(model)}`;
  const postJson = async (path: string, body: JsonValue, callOptions: CallOptions = {}) =>
    parseJsonBody(
      await rest.call(
        { method: "POST", path, headers: { "content-type": "application/json" }, body: jsonBody(body) },
        callOptions,
      ),
      `POST ${path}`,
    );

  return {
    async infer(model, inputs, callOptions = {}) {
      const body = encodeKserveV1Request(inputs.map(inputTensor));
      const json = await postJson(`${modelPath(model)}:predict`, body as JsonValue, callOptions);
      const outputs = decodeKserveV1Response(json, { metadata: callOptions.outputMetadata });
      return new InferResult({ modelName: model, outputs });
    },

    async inferJson(model, body, callOptions = {}) {
      if (callOptions.isGraphEndpoint) {
        return postJson("", body, callOptions);
      }
      if (model === undefined || model === "") {
        throw new InferenceError(
          "invalid_argument",
          "a model name is required unless isGraphEndpoint is set",
        );
      }
      return postJson(`${modelPath(model)}:predict`, body, callOptions);
    },

    async explain(model, body, callOptions) {
      return postJson(`${modelPath(model)}:explain`, body, callOptions);
    },

    async isServerLive(callOptions) {
      const json = parseJsonBody(await rest.call({ method: "GET", path: "/" }, callOptions), baseUrl);
      return (json as { status?: unknown } | null)?.status === "alive";
    },

    async isModelReady(model, callOptions) {
      // KServe's rule: 503 is "not ready"; any other error is an error.
      const res = await rest.call(
        { method: "GET", path: modelPath(model), accept: (s) => s === 503 },
        callOptions,
      );
      return (
        res.status !== 503 && (parseJsonBody(res, baseUrl) as { ready?: unknown } | null)?.ready === true
      );
    },

    async listModels(callOptions) {
      const json = parseJsonBody(
        await rest.call({ method: "GET", path: "/v1/models" }, callOptions),
        baseUrl,
      );
      const models = (json as { models?: unknown } | null)?.models;
      return Array.isArray(models) ? models.map(String) : [];
    },

    close: () => rest.close(),
  };
}
