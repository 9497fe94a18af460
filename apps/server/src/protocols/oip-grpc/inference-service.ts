import type { DescMethodBiDiStreaming, DescService, MessageInitShape } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { type InferRequest, type Parameters, TensorwireError } from "@tensorwire/codec";
import { decodeGrpcInferRequest, encodeGrpcInferResponse } from "@tensorwire/codec/grpc";
import {
  GRPCInferenceService,
  type ModelInferRequest,
  type ModelInferRequestSchema,
  type ModelInferResponse,
  ModelInferResponseSchema,
  type ModelMetadataResponseSchema,
  type ModelRepositoryParameter,
  type ModelStatisticsResponseSchema,
  type ModelStreamInferResponseSchema,
  type StatisticDurationSchema,
} from "@tensorwire/proto/oip";
import type { DataPlane, Duration, ModelStatistics, TensorMetadata } from "../../core/data-plane.js";
import { type ModelRef, modelRef } from "../../core/infer-target.js";
import type { DialectFactory } from "../dialect.js";
import { type GrpcCalls, requestIdKey, webCallHeaders } from "../grpc/grpc-calls.js";
import { modelConfigMessage, modelConfigView } from "../model-config.js";
import { namedTarget, resolveTarget, seldonModelHeader } from "../seldon-headers.js";

/**
 * OIP over gRPC, gRPC-Web and Connect: `inference.GRPCInferenceService` on the shared Connect
 * router. Plain gRPC calls of the hot RPCs take `createFastPath` instead, over the same `GrpcCalls`.
 */
export const oipGrpc: DialectFactory = (deps) => ({
  name: "oip-grpc",
  services(router): readonly DescService[] {
    const service = createInferenceService(deps.dataPlane, deps.grpc);
    router.service(GRPCInferenceService, service);
    if (deps.options.streamInferFraming === "seldon") {
      // Registered after the service, so its handler takes the method's path (the router keeps the
      // last handler per path). A failed request ends the stream: a bare response has no error field.
      router.rpc(seldonModelStreamInfer, async function* (requests, ctx) {
        for await (const message of requests) {
          yield await service.modelInfer(message, ctx);
        }
      });
    }
    return [GRPCInferenceService];
  },
});

/**
 * `ModelStreamInfer` as Seldon Core 2's and MLServer's proto declare it: the same path and request,
 * a stream of bare `ModelInferResponse`s.
 */
export const seldonModelStreamInfer = {
  ...GRPCInferenceService.method.modelStreamInfer,
  output: ModelInferResponseSchema,
} as unknown as DescMethodBiDiStreaming<typeof ModelInferRequestSchema, typeof ModelInferResponseSchema>;

/**
 * `inference.GRPCInferenceService` over the data plane: message ↔ data-plane conversions and nothing
 * else. Errors are thrown as they come; the boundary interceptor maps them to gRPC statuses.
 * Raw contents in → raw contents out, typed in → typed out, as KServe answers, unless the server
 * or the model asks for raw answers (`GrpcCalls.outputContents`).
 */
export function createInferenceService(
  dataPlane: DataPlane,
  calls: GrpcCalls,
): ServiceImpl<typeof GRPCInferenceService> {
  async function infer(message: ModelInferRequest, ctx: HandlerContext): Promise<ModelInferResponse> {
    const target = calls.inferTarget(
      message.modelName,
      message.modelVersion,
      webCallHeaders(ctx.requestHeader),
    );
    const request: InferRequest = decodeGrpcInferRequest(message);
    const response = await dataPlane.infer(target, request, {
      requestId: ctx.values.get(requestIdKey),
      protocol: ctx.protocolName,
      signal: ctx.signal,
    });
    return encodeGrpcInferResponse(response, {
      contents: calls.outputContents(target, message.rawInputContents.length > 0),
    });
  }

  return {
    serverLive: () => ({ live: dataPlane.serverLive() }),
    serverReady: () => ({ ready: dataPlane.serverReady() }),
    modelReady: (req, ctx) => ({
      ready: dataPlane.modelReady(
        resolveTarget(namedTarget(req.name, req.version), ctx.requestHeader.get(seldonModelHeader)),
      ),
    }),
    serverMetadata: () => {
      const { name, version, extensions } = dataPlane.serverMetadata();
      return { name, version, extensions: [...extensions] };
    },
    modelMetadata: (req, ctx): MessageInitShape<typeof ModelMetadataResponseSchema> => {
      const m = dataPlane.modelMetadata(
        resolveTarget(namedTarget(req.name, req.version), ctx.requestHeader.get(seldonModelHeader)),
      );
      return {
        name: m.name,
        versions: [...m.versions],
        platform: m.platform,
        inputs: m.inputs.map(tensorMetadata),
        outputs: m.outputs.map(tensorMetadata),
      };
    },
    modelConfig: (req, ctx) => ({
      config: modelConfigMessage(
        modelConfigView(
          dataPlane,
          resolveTarget(namedTarget(req.name, req.version), ctx.requestHeader.get(seldonModelHeader)),
        ),
      ),
    }),
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
