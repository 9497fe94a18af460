import type { CallOptions } from "@connectrpc/connect";
import type { JsonValue, TensorMetadata } from "@tensorwire/codec";
import { decodeKserveV1Response, encodeKserveV1Request } from "@tensorwire/codec/kserve-v1";
import { createPlatformHttpClient } from "#platform";
import { type ClientOptions, makeClientOptions } from "./client-options.js";
import type { HttpClient } from "./http-client.js";
import { type InferInput, inputTensor } from "./infer-input.js";
import { InferResult } from "./infer-result.js";
import { InferenceError } from "./inference-error.js";
import type { InferOptions } from "./oip-client.js";
import { createOipRestClient } from "./oip-rest-client.js";
import { createRestCaller, jsonBody, parseJsonBody } from "./rest-caller.js";

export type KServeProtocol = "v1" | "v2";

/** KServe's `RESTConfig`, in tensorwire's option convention. */
export interface KServeClientOptions extends ClientOptions {
  /** "v1" (KServe V1: `:predict`, `:explain`) or "v2" (OIP). Default "v1", KServe's default. */
  readonly protocol: KServeProtocol;
}

export function makeKServeClientOptions(options: Partial<KServeClientOptions> = {}): KServeClientOptions {
  return { ...makeClientOptions(options), protocol: options.protocol ?? "v1" };
}

export interface KServeInferOptions extends InferOptions {
  /** V1: the model's outputs, to give the unnamed predictions names and datatypes. */
  readonly outputMetadata?: readonly TensorMetadata[];
}

export interface KServeJsonOptions extends CallOptions {
  /**
   * POST to the base URL itself (an InferenceGraph's router, or any endpoint given whole); the
   * model name is then not needed. Default false.
   */
  readonly isGraphEndpoint?: boolean;
}

/**
 * KServe's `InferenceRESTClient` surface: inference, explanation, readiness and liveness in V1 or
 * V2, and graph endpoints. V2 goes through the OIP REST client.
 */
export interface KServeClient {
  /** Typed inference: V1 sends the inputs as `instances` rows and reads `predictions` back. */
  infer(model: string, inputs: readonly InferInput[], options?: KServeInferOptions): Promise<InferResult>;
  /** A JSON body sent as is (`{"instances": ...}` or an OIP request); the JSON answer returned. */
  inferJson(model: string | undefined, body: JsonValue, options?: KServeJsonOptions): Promise<JsonValue>;
  /** V1 only: `POST /v1/models/{model}:explain`. */
  explain(model: string, body: JsonValue, options?: CallOptions): Promise<JsonValue>;
  /** V2 only (`/v2/health/ready`); V1 has no such endpoint. */
  isServerReady(options?: CallOptions): Promise<boolean>;
  /** V1: `GET /` answering `{"status": "alive"}`; V2: `/v2/health/live`. */
  isServerLive(options?: CallOptions): Promise<boolean>;
  /** V1: `GET /v1/models/{model}` (503 means not ready); V2: the OIP ready endpoint. */
  isModelReady(model: string, options?: CallOptions): Promise<boolean>;
  /** V1: `GET /v1/models`. */
  listModels(options?: CallOptions): Promise<string[]>;
  close(): Promise<void>;
}

export function createKServeClient(
  baseUrl: string,
  partial: Partial<KServeClientOptions> = {},
  http?: HttpClient,
): KServeClient {
  const options = makeKServeClientOptions(partial);
  // One connection pool for both protocols' calls.
  const shared = http ?? createPlatformHttpClient(options);
  const rest = createRestCaller(baseUrl, options, shared);
  const oip = createOipRestClient(baseUrl, options, shared);
  const v1 = options.protocol === "v1";
  const only = (protocol: KServeProtocol, what: string) => {
    if (options.protocol !== protocol) {
      throw new InferenceError("unimplemented", `${what} is not part of the ${options.protocol} protocol`);
    }
  };
  const model1 = (model: string) => `/v1/models/${encodeURIComponent(model)}`;
  const postJson = async (path: string, body: JsonValue, callOptions: CallOptions = {}) =>
    parseJsonBody(
      await rest.call(
        { method: "POST", path, headers: { "content-type": "application/json" }, body: jsonBody(body) },
        callOptions,
      ),
      `POST ${path}`,
    );

  return {
    async infer(model, inputs, callOptions: KServeInferOptions = {}) {
      if (!v1) {
        return oip.infer(model, inputs, callOptions);
      }
      const body = encodeKserveV1Request(inputs.map(inputTensor));
      const json = await postJson(`${model1(model)}:predict`, body as JsonValue, callOptions);
      const outputs = decodeKserveV1Response(json, { metadata: callOptions.outputMetadata });
      return new InferResult({ modelName: model, outputs });
    },

    async inferJson(model, body, callOptions: KServeJsonOptions = {}) {
      if (callOptions.isGraphEndpoint) {
        return postJson("", body, callOptions);
      }
      if (model === undefined || model === "") {
        throw new InferenceError(
          "invalid_argument",
          "a model name is required unless isGraphEndpoint is set",
        );
      }
      const path = v1 ? `${model1(model)}:predict` : `/v2/models/${encodeURIComponent(model)}/infer`;
      return postJson(path, body, callOptions);
    },

    async explain(model, body, callOptions) {
      only("v1", "explain");
      return postJson(`${model1(model)}:explain`, body, callOptions);
    },

    async isServerReady(callOptions) {
      only("v2", "server readiness");
      return oip.isServerReady(callOptions);
    },

    async isServerLive(callOptions) {
      if (!v1) {
        return oip.isServerLive(callOptions);
      }
      const json = parseJsonBody(await rest.call({ method: "GET", path: "/" }, callOptions), baseUrl);
      return (json as { status?: unknown } | null)?.status === "alive";
    },

    async isModelReady(model, callOptions) {
      if (!v1) {
        return oip.isModelReady(model, callOptions);
      }
      // KServe's rule: 503 is "not ready"; any other error is an error.
      const res = await rest.call(
        { method: "GET", path: model1(model), accept: (s) => s === 503 },
        callOptions,
      );
      return (
        res.status !== 503 && (parseJsonBody(res, baseUrl) as { ready?: unknown } | null)?.ready === true
      );
    },

    async listModels(callOptions) {
      only("v1", "listing models");
      const json = parseJsonBody(
        await rest.call({ method: "GET", path: "/v1/models" }, callOptions),
        baseUrl,
      );
      const models = (json as { models?: unknown } | null)?.models;
      return Array.isArray(models) ? models.map(String) : [];
    },

    close: () => shared.close(),
  };
}
