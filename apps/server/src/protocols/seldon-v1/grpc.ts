import { create, type DescService } from "@bufbuild/protobuf";
import type { Value } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { decodeSeldonMessage, encodeSeldonMessage } from "@tensorwire/codec/seldon-v1";
import {
  Combiner,
  type Feedback,
  Generic,
  MetaSchema,
  Model,
  OutputTransformer,
  Router,
  Seldon,
  SeldonGraphMetadataSchema,
  type SeldonMessage,
  type SeldonMessageList,
  SeldonMessageMetadataSchema,
  SeldonMessageSchema,
  type SeldonModelMetadata,
  SeldonModelMetadataSchema,
  Transformer,
} from "@tensorwire/proto/seldon";
import type { ModelMetadata, TensorMetadata } from "../../core/data-plane.js";
import type { InferTarget } from "../../core/infer-target.js";
import { namedTarget, requestIdFrom, requestIdHeader, seldonModelHeader } from "../seldon-headers.js";
import { seldonPuidHeader } from "./rest.js";
import type { ComponentResult, PayloadDecoder, SeldonComponent } from "./seldon-component.js";

/**
 * The `seldon.protos` services on the shared Connect router. The model is the `seldon-model`
 * metadata's, else the `seldon` metadata's (the deployment name Seldon v1 gRPC ingress routes on),
 * else the default. Errors leave through the boundary interceptor as gRPC statuses.
 */
export function registerSeldonServices(
  router: ConnectRouter,
  component: SeldonComponent,
): readonly DescService[] {
  const target = (ctx: HandlerContext): InferTarget =>
    component.target(
      ctx.requestHeader.get("seldon") ?? undefined,
      ctx.requestHeader.get(seldonModelHeader) ?? undefined,
    );

  const decoder =
    (message: SeldonMessage): PayloadDecoder =>
    (options) =>
      decodeSeldonMessage(message, options);

  const answer = (
    request: SeldonMessage,
    result: ComponentResult,
    puid: string,
    ctx: HandlerContext,
  ): SeldonMessage => {
    ctx.responseHeader.set(seldonPuidHeader, puid);
    const message =
      result.payload === undefined ? create(SeldonMessageSchema) : encodeSeldonMessage(result.payload);
    message.meta = create(MetaSchema, {
      puid,
      tags: request.meta?.tags ?? ({} as Record<string, Value>),
      requestPath: { ...result.requestPath },
    });
    return message;
  };

  const puidOf = (request: SeldonMessage | undefined, ctx: HandlerContext): string =>
    requestIdFrom(
      request?.meta?.puid ||
        ctx.requestHeader.get(seldonPuidHeader) ||
        ctx.requestHeader.get(requestIdHeader),
    );

  const predict = async (request: SeldonMessage, ctx: HandlerContext) => {
    const puid = puidOf(request, ctx);
    return answer(request, await component.predict(target(ctx), decoder(request), puid), puid, ctx);
  };
  const route = async (request: SeldonMessage, ctx: HandlerContext) => {
    const puid = puidOf(request, ctx);
    return answer(request, await component.route(target(ctx), decoder(request), puid), puid, ctx);
  };
  const aggregate = async (list: SeldonMessageList, ctx: HandlerContext) => {
    const first = list.seldonMessages[0] ?? create(SeldonMessageSchema);
    const puid = puidOf(first, ctx);
    const result = await component.aggregate(target(ctx), list.seldonMessages.map(decoder), puid);
    return answer(first, result, puid, ctx);
  };
  const sendFeedback = async (feedback: Feedback, ctx: HandlerContext) => {
    const request = feedback.request ?? create(SeldonMessageSchema);
    const puid = puidOf(request, ctx);
    const parts = [feedback.request, feedback.response, feedback.truth].flatMap((m) =>
      m === undefined || m.dataOneof.case === undefined ? [] : [decoder(m)],
    );
    return answer(request, component.feedback(target(ctx), parts, feedback.reward), puid, ctx);
  };
  const metadata = (model: InferTarget) => modelMetadataMessage(component.metadata(model));

  router.service(Model, {
    predict,
    sendFeedback,
    metadata: (_req, ctx) => metadata(target(ctx)),
  });
  router.service(Generic, {
    transformInput: predict,
    transformOutput: predict,
    route,
    aggregate,
    sendFeedback,
  });
  router.service(Router, { route, sendFeedback });
  router.service(Transformer, { transformInput: predict });
  router.service(OutputTransformer, { transformOutput: predict });
  router.service(Combiner, { aggregate });
  router.service(Seldon, {
    predict,
    sendFeedback,
    modelMetadata: (req, ctx) => metadata(req.name === "" ? target(ctx) : namedTarget(req.name)),
    graphMetadata: (_req, ctx) => {
      const meta = component.metadata(target(ctx));
      return create(SeldonGraphMetadataSchema, {
        name: meta.name,
        models: { [meta.name]: modelMetadataMessage(meta) },
        inputs: meta.inputs.map(tensorMessage),
        outputs: meta.outputs.map(tensorMessage),
      });
    },
  });
  return [Model, Generic, Router, Transformer, OutputTransformer, Combiner, Seldon];
}

function tensorMessage(t: TensorMetadata) {
  return create(SeldonMessageMetadataSchema, {
    name: t.name,
    datatype: t.datatype,
    shape: t.shape.map((d) => BigInt(d)),
  });
}

function modelMetadataMessage(meta: ModelMetadata): SeldonModelMetadata {
  return create(SeldonModelMetadataSchema, {
    name: meta.name,
    versions: [...meta.versions],
    platform: meta.platform,
    inputs: meta.inputs.map(tensorMessage),
    outputs: meta.outputs.map(tensorMessage),
  });
}
