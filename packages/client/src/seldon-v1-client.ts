import { fromJson, type JsonValue as ProtoJsonValue, toJson } from "@bufbuild/protobuf";
import { type CallOptions, createClient, type Transport } from "@connectrpc/connect";
import type { JsonValue } from "@tensorwire/codec";
import {
  decodeSeldonJson,
  decodeSeldonMessage,
  encodeSeldonJson,
  encodeSeldonMessage,
  type SeldonDecodeOptions,
  type SeldonEncoding,
  type SeldonPayload,
} from "@tensorwire/codec/seldon-v1";
import { MetaSchema, Seldon } from "@tensorwire/proto/seldon";
import { createPlatformTransport } from "#platform";
import { type ClientOptions, makeClientOptions } from "./client-options.js";
import type { HttpClient } from "./http-client.js";
import { type InferInput, inputTensor } from "./infer-input.js";
import { createRestCaller, jsonBody, parseJsonBody } from "./rest-caller.js";
import { createRpcCaller } from "./rpc-caller.js";

/** Seldon Core v1 (SeldonMessage): the executor's external API or a wrapped microservice. */
export interface SeldonV1ClientOptions extends ClientOptions {
  /**
   * "external" (default): the executor's `POST /api/v1.0/predictions`, the base URL being the
   * deployment's (`http://ingress/seldon/<namespace>/<deployment>`). "internal": a microservice's
   * own `POST /predict` (the python wrapper, port 9000).
   */
  readonly endpoint: "external" | "internal";
}

export function makeSeldonV1ClientOptions(
  options: Partial<SeldonV1ClientOptions> = {},
): SeldonV1ClientOptions {
  return { ...makeClientOptions(options), endpoint: options.endpoint ?? "external" };
}

export interface SeldonPredictOptions extends CallOptions {
  /** How an `InferInput` is written. Default "ndarray", Seldon's most common form. */
  readonly encoding?: SeldonEncoding;
  /** Column names of an `InferInput` (one per element of its last dimension). */
  readonly names?: readonly string[];
  /** The request's `meta` (`puid`, `tags`, ...). */
  readonly meta?: { readonly [key: string]: JsonValue };
  /** Names and types the answer's tensor (Seldon tensors carry neither name nor, mostly, datatype). */
  readonly decode?: Partial<SeldonDecodeOptions>;
}

export interface SeldonPrediction {
  readonly payload: SeldonPayload;
  /** The answer's `meta`: `puid`, `tags`, `routing`, `requestPath`, `metrics`. */
  readonly meta: { readonly [key: string]: JsonValue } | undefined;
  /** `meta.puid`, else the `Seldon-Puid` header. */
  readonly puid: string | undefined;
}

export interface SeldonV1Client {
  predict(input: SeldonPayload | InferInput, options?: SeldonPredictOptions): Promise<SeldonPrediction>;
  close(): Promise<void>;
}

function toPayload(input: SeldonPayload | InferInput, options: SeldonPredictOptions): SeldonPayload {
  return "kind" in input
    ? input
    : {
        kind: "data",
        encoding: options.encoding ?? "ndarray",
        tensor: inputTensor(input),
        names: options.names ?? [],
      };
}

type JsonObject = { readonly [key: string]: JsonValue };

/** Seldon v1 over REST; errors carry Seldon's `status.info` as the server's message. */
export function createSeldonV1Client(
  baseUrl: string,
  partial: Partial<SeldonV1ClientOptions> = {},
  http?: HttpClient,
): SeldonV1Client {
  const options = makeSeldonV1ClientOptions(partial);
  const rest = createRestCaller(baseUrl, options, http);
  const path = options.endpoint === "external" ? "/api/v1.0/predictions" : "/predict";
  return {
    async predict(input, callOptions = {}) {
      const body: JsonObject = {
        ...encodeSeldonJson(toPayload(input, callOptions)),
        ...(callOptions.meta === undefined ? {} : { meta: callOptions.meta }),
      };
      const res = await rest.call(
        { method: "POST", path, headers: { "content-type": "application/json" }, body: jsonBody(body) },
        callOptions,
      );
      const json = parseJsonBody(res, `POST ${path}`) as JsonObject;
      const meta = json.meta as JsonObject | undefined;
      return {
        payload: decodeSeldonJson(json, callOptions.decode),
        meta,
        puid:
          (typeof meta?.puid === "string" && meta.puid !== "" ? meta.puid : undefined) ??
          res.headers.get("seldon-puid") ??
          undefined,
      };
    },
    close: () => rest.close(),
  };
}

/** Seldon v1 over gRPC (`seldon.protos.Seldon/Predict`), on any Connect transport. */
export function createSeldonV1GrpcClient(
  transport: Transport,
  partial: Partial<ClientOptions> = {},
  onClose: () => void = () => {},
): SeldonV1Client {
  const options = makeClientOptions(partial);
  const client = createClient(Seldon, transport);
  const rpc = createRpcCaller(options, Seldon.typeName);
  return {
    async predict(input, callOptions = {}) {
      const message = encodeSeldonMessage(toPayload(input, callOptions));
      if (callOptions.meta !== undefined) {
        message.meta = fromJson(MetaSchema, callOptions.meta as ProtoJsonValue);
      }
      const answer = await rpc("Predict", callOptions, {}, undefined, (c) => client.predict(message, c));
      const meta = answer.meta === undefined ? undefined : (toJson(MetaSchema, answer.meta) as JsonObject);
      return {
        payload: decodeSeldonMessage(answer, callOptions.decode),
        meta,
        puid: answer.meta?.puid === "" ? undefined : answer.meta?.puid,
      };
    },
    close: async () => onClose(),
  };
}

/** Seldon v1 gRPC client on a transport built for `baseUrl` (connect-node in Node). */
export function createSeldonV1GrpcClientFor(
  baseUrl: string,
  partial: Partial<ClientOptions> = {},
): SeldonV1Client {
  const options = makeClientOptions(partial);
  const { transport, close } = createPlatformTransport("grpc", baseUrl, options);
  return createSeldonV1GrpcClient(transport, options, close);
}
