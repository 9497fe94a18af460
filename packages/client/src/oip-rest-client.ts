import type { CallOptions } from "@connectrpc/connect";
import { type InferRequest, invalidArgument, type RequestedOutput } from "@tensorwire/codec";
import { decodeBinaryResponse, encodeBinaryRequest } from "@tensorwire/codec/rest";
import type { HttpClient } from "./http-client.js";
import { inputTensor } from "./infer-input.js";
import { InferResult } from "./infer-result.js";
import { InferenceError } from "./inference-error.js";
import {
  type InferOptions,
  type ModelMetadata,
  type ModelStatistics,
  makeOipClientOptions,
  type OipClient,
  type OipClientOptions,
  type RepositoryIndexEntry,
  type StatisticDuration,
  type TensorMetadata,
  type VersionOptions,
} from "./oip-client.js";
import { createRestCaller, jsonBody } from "./rest-caller.js";

/** The OIP client over REST (HTTP/1.1 keep-alive by default, HTTP/2 with `http2`). */
export function createOipRestClient(
  baseUrl: string,
  partial: Partial<OipClientOptions> = {},
  http?: HttpClient,
): OipClient {
  const options = makeOipClientOptions(partial);
  const rest = createRestCaller(baseUrl, options, http);
  const seldon = (model: string): Record<string, string> =>
    options.seldonRouting ? { "seldon-model": model } : {};

  const health = async (path: string, headers: Record<string, string>, callOptions?: CallOptions) => {
    // Health is the status code alone (§1.2): servers disagree on bodies, and on 400 vs 503 for "no".
    const res = await rest.call(
      { method: "GET", path, headers, accept: (s) => s >= 400 && s !== 502 },
      callOptions,
    );
    return res.status >= 200 && res.status < 300;
  };

  return {
    isServerLive: (callOptions) => health("/v2/health/live", {}, callOptions),
    isServerReady: (callOptions) => health("/v2/health/ready", {}, callOptions),
    isModelReady: (model, callOptions = {}) =>
      health(`${modelPath(model, callOptions.modelVersion)}/ready`, seldon(model), callOptions),

    async serverMetadata(callOptions) {
      const json = object(await rest.json({ method: "GET", path: "/v2" }, callOptions), "server metadata");
      return {
        name: String(json.name ?? ""),
        version: String(json.version ?? ""),
        extensions: Array.isArray(json.extensions) ? json.extensions.map(String) : [],
      };
    },

    async modelMetadata(model, callOptions = {}) {
      const path = modelPath(model, callOptions.modelVersion);
      const json = await rest.json({ method: "GET", path, headers: seldon(model) }, callOptions);
      return modelMetadataFromJson(json);
    },

    async infer(model, inputs, callOptions: InferOptions = {}) {
      const request: InferRequest = {
        ...(callOptions.id === undefined ? {} : { id: callOptions.id }),
        ...requestParameters(callOptions, options.binaryData),
        inputs: inputs.map(inputTensor),
        ...requestedOutputs(callOptions.outputs, options.binaryData),
      };
      const binary = new Set(inputs.filter((i) => i.binary ?? options.binaryData).map((i) => i.name));
      const body = encodeBinaryRequest(request, { binaryInput: (t) => binary.has(t.name) });
      const headers: Record<string, string> = {
        ...seldon(model),
        "content-type": body.headerLength === undefined ? "application/json" : "application/octet-stream",
        ...(body.headerLength === undefined
          ? {}
          : { "inference-header-content-length": String(body.headerLength) }),
      };
      const res = await rest.call(
        {
          method: "POST",
          path: `${modelPath(model, callOptions.modelVersion)}/infer`,
          headers,
          body: body.chunks,
          requestId: callOptions.id,
        },
        callOptions,
      );
      const headerLength = res.headers.get("inference-header-content-length") ?? undefined;
      try {
        return new InferResult(decodeBinaryResponse(res.body, headerLength), res.headers);
      } catch (err) {
        throw new InferenceError(
          "internal",
          `the inference response of model '${model}' is malformed: ${String(err)}`,
          {
            status: res.status,
            requestId: res.headers.get("x-request-id") ?? callOptions.id,
            cause: err,
          },
        );
      }
    },

    async repositoryIndex(callOptions = {}) {
      // Always a JSON body: MLServer answers 422 to an empty one.
      const body = jsonBody(callOptions.ready === undefined ? {} : { ready: callOptions.ready });
      const json = await rest.json(
        {
          method: "POST",
          path: "/v2/repository/index",
          headers: { "content-type": "application/json" },
          body,
        },
        callOptions,
      );
      if (!Array.isArray(json)) {
        throw malformed("repository index", json);
      }
      return json.map((e): RepositoryIndexEntry => {
        const entry = object(e, "repository index entry");
        return {
          name: String(entry.name),
          version: typeof entry.version === "string" ? entry.version : undefined,
          state: String(entry.state ?? "UNKNOWN"),
          reason: typeof entry.reason === "string" && entry.reason !== "" ? entry.reason : undefined,
        };
      });
    },

    async loadModel(model, callOptions) {
      await rest.call(
        { method: "POST", path: `/v2/repository/models/${encodeURIComponent(model)}/load` },
        callOptions,
      );
    },

    async unloadModel(model, callOptions) {
      await rest.call(
        { method: "POST", path: `/v2/repository/models/${encodeURIComponent(model)}/unload` },
        callOptions,
      );
    },

    async modelStatistics(model, callOptions: VersionOptions = {}) {
      const path =
        model === undefined ? "/v2/models/stats" : `${modelPath(model, callOptions.modelVersion)}/stats`;
      const json = object(await rest.json({ method: "GET", path }, callOptions), "statistics");
      if (!Array.isArray(json.model_stats)) {
        throw malformed("statistics", json);
      }
      return json.model_stats.map(statisticsFromJson);
    },

    close: () => rest.close(),
  };
}

export function modelPath(model: string, version: string | undefined): string {
  if (model === "") {
    throw invalidArgument("a model name is required", { field: "model_name" });
  }
  const name = `/v2/models/${encodeURIComponent(model)}`;
  return version === undefined || version === "" ? name : `${name}/versions/${encodeURIComponent(version)}`;
}

/** With `binaryData`, outputs come back binary unless a requested output says otherwise. */
function requestParameters(options: InferOptions, binaryData: boolean) {
  const parameters =
    binaryData && options.outputs === undefined
      ? { ...options.parameters, binary_data_output: true }
      : options.parameters;
  return parameters === undefined ? {} : { parameters };
}

function requestedOutputs(outputs: readonly RequestedOutput[] | undefined, binaryData: boolean) {
  if (outputs === undefined) {
    return {};
  }
  return {
    outputs: outputs.map((o) =>
      binaryData && o.parameters?.binary_data === undefined
        ? { name: o.name, parameters: { ...o.parameters, binary_data: true } }
        : o,
    ),
  };
}

type JsonObject = { readonly [key: string]: unknown };

function object(json: unknown, what: string): JsonObject {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw malformed(what, json);
  }
  return json as JsonObject;
}

function malformed(what: string, json: unknown): InferenceError {
  return new InferenceError(
    "internal",
    `malformed ${what} from the server: ${JSON.stringify(json)?.slice(0, 200)}`,
  );
}

function tensorMetadataFromJson(json: unknown): TensorMetadata {
  const t = object(json, "tensor metadata");
  return {
    name: String(t.name),
    datatype: String(t.datatype),
    shape: Array.isArray(t.shape) ? t.shape.map(Number) : [],
  };
}

/** MLServer omits `inputs`/`outputs` when the model declares none; they read as empty. */
export function modelMetadataFromJson(json: unknown): ModelMetadata {
  const m = object(json, "model metadata");
  return {
    name: String(m.name),
    versions: Array.isArray(m.versions) ? m.versions.map(String) : [],
    platform: String(m.platform ?? ""),
    inputs: Array.isArray(m.inputs) ? m.inputs.map(tensorMetadataFromJson) : [],
    outputs: Array.isArray(m.outputs) ? m.outputs.map(tensorMetadataFromJson) : [],
  };
}

function statisticsFromJson(json: unknown): ModelStatistics {
  const s = object(json, "model statistics");
  const stats: Record<string, StatisticDuration> = {};
  for (const [key, value] of Object.entries(object(s.inference_stats ?? {}, "inference_stats"))) {
    const d = object(value, key);
    stats[key] = { count: Number(d.count ?? 0), ns: Number(d.ns ?? 0) };
  }
  return {
    name: String(s.name),
    version: String(s.version ?? ""),
    lastInference: Number(s.last_inference ?? 0),
    inferenceCount: Number(s.inference_count ?? 0),
    executionCount: Number(s.execution_count ?? 0),
    inferenceStats: stats,
  };
}
