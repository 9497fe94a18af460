import { createClient, type Transport } from "@connectrpc/connect";
import type { InferRequest, RequestedOutput } from "@tensorwire/codec";
import { decodeGrpcInferResponse, encodeGrpcInferRequest } from "@tensorwire/codec/grpc";
import { GRPCInferenceService, type ModelStatistics as ModelStatisticsMessage } from "@tensorwire/proto/oip";
import { inputTensor } from "./infer-input.js";
import { InferResult } from "./infer-result.js";
import { InferenceError } from "./inference-error.js";
import type {
  ModelStatistics,
  OipClient,
  OipClientOptions,
  OipInferCallOptions,
  StatisticDuration,
} from "./oip-client.js";
import { modelMetadataFrom, serverMetadataFrom } from "./oip-metadata.js";
import { createRpcCaller } from "./rpc-caller.js";

const service = GRPCInferenceService.typeName;

/**
 * The OIP client over a Connect transport: gRPC (HTTP/2), the Connect protocol or gRPC-Web, in
 * Node (connect-node) or a browser (connect-web). `createOipClient` picks it for those protocols.
 */
export function createOipGrpcClient(
  transport: Transport,
  options: OipClientOptions,
  onClose: () => void,
): OipClient {
  const client = createClient(GRPCInferenceService, transport);

  const rpc = createRpcCaller(options, service);

  const seldon = (model: string): Record<string, string> =>
    options.seldonRouting ? { "seldon-model": model } : {};

  return {
    isServerLive: (o = {}) =>
      health(
        rpc("ServerLive", o, {}, undefined, (c) => client.serverLive({}, c)),
        "live",
      ),
    isServerReady: (o = {}) =>
      health(
        rpc("ServerReady", o, {}, undefined, (c) => client.serverReady({}, c)),
        "ready",
      ),
    isModelReady: (model, o = {}) =>
      health(
        rpc("ModelReady", o, seldon(model), undefined, (c) =>
          client.modelReady({ name: model, version: o.modelVersion ?? "" }, c),
        ),
        "ready",
      ),

    async serverMetadata(o = {}) {
      return serverMetadataFrom(
        await rpc("ServerMetadata", o, {}, undefined, (c) => client.serverMetadata({}, c)),
      );
    },

    async modelMetadata(model, o = {}) {
      const m = await rpc("ModelMetadata", o, seldon(model), undefined, (c) =>
        client.modelMetadata({ name: model, version: o.modelVersion ?? "" }, c),
      );
      return modelMetadataFrom({
        ...m,
        inputs: m.inputs.map(tensorMetadata),
        outputs: m.outputs.map(tensorMetadata),
      });
    },

    async infer(model, inputs, o: OipInferCallOptions = {}) {
      const raw =
        inputs.some((i) => i.binary === true || i.datatype === "FP16") ||
        (options.rawContents && !inputs.every((i) => i.binary === false));
      const request: InferRequest = {
        modelName: model,
        ...(o.modelVersion === undefined ? {} : { modelVersion: o.modelVersion }),
        ...(o.id === undefined ? {} : { id: o.id }),
        ...(o.parameters === undefined ? {} : { parameters: o.parameters }),
        inputs: inputs.map(inputTensor),
        ...(o.outputs === undefined ? {} : { outputs: o.outputs.map(withoutBinaryData) }),
      };
      const message = encodeGrpcInferRequest(request, { contents: raw ? "raw" : "typed" });
      const headers = new Headers();
      const keep = (h: Headers) =>
        h.forEach((value, name) => {
          headers.set(name, value);
        });
      const response = await rpc("ModelInfer", o, seldon(model), o.id, (c) =>
        client.modelInfer(message, {
          ...c,
          onHeader: (h) => {
            keep(h);
            o.onHeader?.(h);
          },
          onTrailer: (t) => {
            keep(t);
            o.onTrailer?.(t);
          },
        }),
      );
      try {
        return new InferResult(decodeGrpcInferResponse(response), headers);
      } catch (err) {
        throw new InferenceError(
          "internal",
          `the inference response of model '${model}' is malformed: ${String(err)}`,
          {
            requestId: headers.get("x-request-id") ?? o.id,
            cause: err,
          },
        );
      }
    },

    async repositoryIndex(o = {}) {
      const res = await rpc("RepositoryIndex", o, {}, undefined, (c) =>
        client.repositoryIndex({ ready: o.ready ?? false }, c),
      );
      return res.models.map((m) => ({
        name: m.name,
        version: m.version === "" ? undefined : m.version,
        // MLServer 1.7 writes its Python enum's str() ("State.READY") where REST has "READY".
        state: m.state.replace(/^State\./, ""),
        reason: m.reason === "" ? undefined : m.reason,
      }));
    },

    async loadModel(model, o = {}) {
      await rpc("RepositoryModelLoad", o, {}, undefined, (c) =>
        client.repositoryModelLoad({ modelName: model }, c),
      );
    },

    async unloadModel(model, o = {}) {
      await rpc("RepositoryModelUnload", o, {}, undefined, (c) =>
        client.repositoryModelUnload({ modelName: model }, c),
      );
    },

    async modelStatistics(model, o = {}) {
      const res = await rpc("ModelStatistics", o, {}, undefined, (c) =>
        client.modelStatistics({ name: model ?? "", version: o.modelVersion ?? "" }, c),
      );
      return res.modelStats.map(statisticsFromMessage);
    },

    async close() {
      onClose();
    },
  };
}

/**
 * A health answer; an error status from the server also means "no", as a non-2xx does on REST
 * (MLServer answers ModelReady for an unknown model with UNKNOWN, Triton with NOT_FOUND).
 * Failing to reach the server still throws.
 */
async function health<K extends string>(call: Promise<Record<K, boolean>>, key: K): Promise<boolean> {
  try {
    return (await call)[key];
  } catch (err) {
    if (err instanceof InferenceError && err.status !== undefined) {
      return false;
    }
    throw err;
  }
}

/** `binary_data` is a REST framing choice; gRPC servers would see an unknown parameter. */
function withoutBinaryData(output: RequestedOutput): RequestedOutput {
  if (output.parameters?.binary_data === undefined) {
    return output;
  }
  const { binary_data: _, ...rest } = output.parameters;
  return Object.keys(rest).length === 0 ? { name: output.name } : { name: output.name, parameters: rest };
}

function statisticsFromMessage(m: ModelStatisticsMessage): ModelStatistics {
  const stats: Record<string, StatisticDuration> = {};
  for (const [key, value] of Object.entries(m.inferenceStats ?? {})) {
    if (typeof value === "object" && value !== null && "count" in value && "ns" in value) {
      // Camel-case field names to the snake_case keys REST uses, so both transports agree.
      const name = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      stats[name] = { count: Number(value.count), ns: Number(value.ns) };
    }
  }
  return {
    name: m.name,
    version: m.version,
    lastInference: Number(m.lastInference),
    inferenceCount: Number(m.inferenceCount),
    executionCount: Number(m.executionCount),
    inferenceStats: stats,
  };
}

function tensorMetadata(t: { name: string; datatype: string; shape: bigint[] }) {
  return { name: t.name, datatype: t.datatype, shape: t.shape.map(Number) };
}
