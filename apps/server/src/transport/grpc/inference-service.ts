import type { MessageInitShape } from "@bufbuild/protobuf";
import { createContextKey, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { type InferRequest, type Parameters, TensorwireError } from "@tensorwire/codec";
import { decodeGrpcInferRequest, encodeGrpcInferResponse } from "@tensorwire/codec/grpc";
import type {
  GRPCInferenceService,
  ModelInferRequest,
  ModelInferResponse,
  ModelMetadataResponseSchema,
  ModelRepositoryParameter,
  ModelStatisticsResponseSchema,
  ModelStreamInferResponseSchema,
  StatisticDurationSchema,
} from "@tensorwire/proto/oip";
import type {
  DataPlane,
  Duration,
  ModelRef,
  ModelStatistics,
  TensorMetadata,
} from "../../core/data-plane.js";
import { seldonModelHeader, targetModel } from "../seldon-headers.js";

/**
 * `inference.GRPCInferenceService` over the data plane: message ↔ data-plane conversions and nothing
 * else. Errors are thrown as they come; the boundary interceptor maps them to gRPC statuses.
 * Raw contents in → raw contents out, typed in → typed out, as KServe answers.
 */

/** The request id the boundary interceptor chose for this call (see `boundaryInterceptor`). */
export const requestIdKey = createContextKey<string>("");

export function createInferenceService(dataPlane: DataPlane): ServiceImpl<typeof GRPCInferenceService> {
  async function infer(message: ModelInferRequest, ctx: HandlerContext): Promise<ModelInferResponse> {
    const name = targetModel(message.modelName, ctx.requestHeader.get(seldonModelHeader));
    if (name === "") {
      throw new TensorwireError("invalid_argument", "model_name is empty: name the model to run", {
        field: "model_name",
      });
    }
    const request: InferRequest = decodeGrpcInferRequest(message);
    const response = await dataPlane.infer(modelRef(name, message.modelVersion), request, {
      requestId: ctx.values.get(requestIdKey),
      protocol: ctx.protocolName,
      signal: ctx.signal,
    });
    return encodeGrpcInferResponse(response, {
      contents: message.rawInputContents.length > 0 ? "raw" : "typed",
    });
  }

  return {
    serverLive: () => ({ live: dataPlane.serverLive() }),
    serverReady: () => ({ ready: dataPlane.serverReady() }),
    modelReady: (req, ctx) => ({
      ready: dataPlane.modelReady(
        modelRef(targetModel(req.name, ctx.requestHeader.get(seldonModelHeader)), req.version),
      ),
    }),
    serverMetadata: () => {
      const { name, version, extensions } = dataPlane.serverMetadata();
      return { name, version, extensions: [...extensions] };
    },
    modelMetadata: (req, ctx): MessageInitShape<typeof ModelMetadataResponseSchema> => {
      const ref = modelRef(targetModel(req.name, ctx.requestHeader.get(seldonModelHeader)), req.version);
      const m = dataPlane.modelMetadata(ref);
      return {
        name: m.name,
        versions: [...m.versions],
        platform: m.platform,
        inputs: m.inputs.map(tensorMetadata),
        outputs: m.outputs.map(tensorMetadata),
      };
    },
    modelInfer: infer,
    async *modelStreamInfer(
      requests,
      ctx,
    ): AsyncIterable<MessageInitShape<typeof ModelStreamInferResponseSchema>> {
      // Triton's wrapper: a failed request yields an error_message and the stream goes on.
      for await (const message of requests) {
        try {
          yield { inferResponse: await infer(message, ctx) };
        } catch (err) {
          const tw = TensorwireError.from(err);
          yield { errorMessage: tw.message, inferResponse: { modelName: message.modelName, id: message.id } };
        }
      }
    },
    modelStatistics: (req): MessageInitShape<typeof ModelStatisticsResponseSchema> => ({
      modelStats: dataPlane.statistics(partialRef(req.name, req.version)).map(statistics),
    }),
    repositoryIndex: (req) => ({
      models: dataPlane.repositoryIndex({ readyOnly: req.ready }).map((e) => ({
        name: e.name,
        version: e.version ?? "",
        state: e.state,
        reason: e.reason,
      })),
    }),
    async repositoryModelLoad(req) {
      await dataPlane.repositoryLoad(req.modelName, repositoryParameters(req.parameters));
      return { modelName: req.modelName, isLoaded: true };
    },
    async repositoryModelUnload(req) {
      await dataPlane.repositoryUnload(req.modelName, repositoryParameters(req.parameters));
      return { modelName: req.modelName, isUnloaded: true };
    },
  };
}

function modelRef(name: string, version: string): ModelRef {
  return version === "" ? { name } : { name, version };
}

function partialRef(name: string, version: string): Partial<ModelRef> | undefined {
  if (name === "") {
    return undefined;
  }
  return modelRef(name, version);
}

function tensorMetadata(t: TensorMetadata) {
  return { name: t.name, datatype: t.datatype, shape: t.shape.map(BigInt) };
}

function duration(d: Duration): MessageInitShape<typeof StatisticDurationSchema> {
  return { count: BigInt(d.count), ns: BigInt(d.ns) };
}

function statistics(s: ModelStatistics) {
  const i = s.inferenceStats;
  return {
    name: s.name,
    version: s.version,
    lastInference: BigInt(s.lastInference),
    inferenceCount: BigInt(s.inferenceCount),
    executionCount: BigInt(s.executionCount),
    inferenceStats: {
      success: duration(i.success),
      fail: duration(i.fail),
      queue: duration(i.queue),
      computeInput: duration(i.computeInput),
      computeInfer: duration(i.computeInfer),
      computeOutput: duration(i.computeOutput),
    },
    batchStats: s.batchStats.map((b) => ({
      batchSize: BigInt(b.batchSize),
      computeInput: duration(b.computeInput),
      computeInfer: duration(b.computeInfer),
      computeOutput: duration(b.computeOutput),
    })),
  };
}

/** Repository parameters as the data plane takes them; bytes become base64, as Triton's REST sends them. */
function repositoryParameters(map: { [key: string]: ModelRepositoryParameter }): Parameters | undefined {
  const keys = Object.keys(map);
  if (keys.length === 0) {
    return undefined;
  }
  const out: Record<string, string | number | boolean | bigint> = {};
  for (const key of keys) {
    const choice = (map[key] as ModelRepositoryParameter).parameterChoice;
    switch (choice.case) {
      case "bytesParam":
        out[key] = Buffer.from(choice.value).toString("base64");
        break;
      case "int64Param": {
        const n = Number(choice.value);
        out[key] = Number.isSafeInteger(n) ? n : choice.value;
        break;
      }
      case "boolParam":
      case "stringParam":
        out[key] = choice.value;
        break;
      default:
        throw new TensorwireError("invalid_argument", `parameter '${key}' has no value`, {
          field: "parameters",
        });
    }
  }
  return out;
}
