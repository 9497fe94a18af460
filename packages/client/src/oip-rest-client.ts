import type { CallOptions } from "@connectrpc/connect";
import { type InferRequest, invalidArgument, type RequestedOutput } from "@tensorwire/codec";
import { decodeBinaryResponse, encodeBinaryRequest } from "@tensorwire/codec/rest";
import type { HttpClient } from "./http-client.js";
import { inputTensor } from "./infer-input.js";
import { InferResult } from "./infer-result.js";
import { InferenceError } from "./inference-error.js";
import type {
  ModelStatistics,
  OipClient,
  OipClientOptions,
  OipInferCallOptions,
  OipModelCallOptions,
  RepositoryIndexEntry,
  StatisticDuration,
} from "./oip-client.js";
import { jsonObject, malformed, modelMetadataFrom, serverMetadataFrom } from "./oip-metadata.js";
import { createRestCaller, jsonBody } from "./rest-caller.js";

/**
 * The OIP client over REST (HTTP/1.1 keep-alive by default, HTTP/2 with `http2`);
 * `createOipClient` picks it for protocol "rest". `http` replaces the platform's HTTP client.
 */
export function createOipRestClient(
  baseUrl: string,
  options: OipClientOptions,
  http?: HttpClient,
): OipClient {
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
      return serverMetadataFrom(await rest.json({ method: "GET", path: "/v2" }, callOptions));
    },

    async modelMetadata(model, callOptions = {}) {
      const path = modelPath(model, callOptions.modelVersion);
      return modelMetadataFrom(await rest.json({ method: "GET", path, headers: seldon(model) }, callOptions));
    },

    async infer(model, inputs, callOptions: OipInferCallOptions = {}) {
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
        const entry = jsonObject(e, "repository index entry");
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

    async modelStatistics(model, callOptions: OipModelCallOptions = {}) {
      const path =
        model === undefined ? "/v2/models/stats" : `${modelPath(model, callOptions.modelVersion)}/stats`;
      const json = jsonObject(await rest.json({ method: "GET", path }, callOptions), "statistics");
      if (!Array.isArray(json.model_stats)) {
        throw malformed("statistics", json);
      }
      return json.model_stats.map(statisticsFromJson);
    },

    close: () => rest.close(),
  };
}

function modelPath(model: string, version: string | undefined): string {
  if (model === "") {
    throw invalidArgument("a model name is required", { field: "model_name" });
  }
  const name = `/v2/models/${encodeURIComponent(model)}`;
  return version === undefined || version === "" ? name : `${name}/versions/${encodeURIComponent(version)}`;
}

/** With `binaryData`, outputs come back binary unless a requested output says otherwise. */
function requestParameters(options: OipInferCallOptions, binaryData: boolean) {
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

function statisticsFromJson(json: unknown): ModelStatistics {
  const s = jsonObject(json, "model statistics");
  const stats: Record<string, StatisticDuration> = {};
  for (const [key, value] of Object.entries(jsonObject(s.inference_stats ?? {}, "inference_stats"))) {
    // A null duration is one the server left out.
    if (value !== null) {
      const d = jsonObject(value, key);
      stats[key] = { count: Number(d.count ?? 0), ns: Number(d.ns ?? 0) };
    }
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
