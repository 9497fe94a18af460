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
import { type ClientOptions, type ClientProtocol, makeClientOptions, protocolOf } from "./client-options.js";
import { type InferInput, inputTensor } from "./infer-input.js";
import { createRestCaller, jsonBody, parseJsonBody } from "./rest-caller.js";
import { connectTransport, createRpcCaller } from "./rpc-caller.js";

/**
 * Options of `createSeldonV1Client`, on top of the shared `ClientOptions`.
 *
 * @example
 * const client = createSeldonV1Client("http://localhost:9000", { endpoint: "internal" });
 */
export interface SeldonV1ClientOptions extends ClientOptions {
  /**
   * The wire protocol: "rest" (SeldonMessage JSON) or a gRPC family protocol for
   * `seldon.protos.Seldon/Predict` ("grpc" is what Seldon Core serves; "connect" and "grpc-web"
   * reach a server that speaks them, such as tensorwire). Default "rest", or, with `transport`,
   * whatever the transport speaks.
   */
  readonly protocol: ClientProtocol;
  /**
   * gRPC family: your own Connect transport (interceptors, a TLS agent, a browser transport), used
   * as it is; `baseUrl`, `http2` and `tls` are then the transport's business, and `close()` leaves
   * it open. Default: one built for `baseUrl` by the platform.
   */
  readonly transport: Transport | undefined;
  /**
   * REST: "external" (default): the executor's `POST /api/v1.0/predictions`, the base URL being the
   * deployment's (`http://ingress/seldon/<namespace>/<deployment>`). "internal": a microservice's
   * own `POST /predict` (the python wrapper, port 9000).
   */
  readonly endpoint: "external" | "internal";
}

/** The options with their defaults, merged in this one place. */
export function makeSeldonV1ClientOptions(
  options: Partial<SeldonV1ClientOptions> = {},
): SeldonV1ClientOptions {
  return {
    ...makeClientOptions(options),
    protocol: protocolOf(options),
    transport: options.transport,
    endpoint: options.endpoint ?? "external",
  };
}

/**
 * Options of one Seldon v1 prediction.
 *
 * @example
 * const answer = await client.predict(input, { encoding: "tensor", meta: { puid: "req-1" } });
 */
export interface SeldonV1PredictCallOptions extends CallOptions {
  /** How an `InferInput` is written. Default "ndarray", Seldon's most common form. */
  readonly encoding?: SeldonEncoding;
  /** Column names of an `InferInput` (one per element of its last dimension). Default none. */
  readonly names?: readonly string[];
  /** The request's `meta` (`puid`, `tags`, ...). Default none. */
  readonly meta?: { readonly [key: string]: JsonValue };
  /**
   * Names and types the answer's tensor (Seldon tensors carry neither name nor, mostly, datatype).
   * Default: the codec's (see `SeldonDecodeOptions`).
   */
  readonly decode?: Partial<SeldonDecodeOptions>;
}

/**
 * A Seldon v1 answer.
 *
 * @example
 * const { payload, puid } = await client.predict(input);
 * if (payload.kind === "data") {
 *   console.log(puid, payload.tensor.shape, payload.tensor.data);
 * }
 */
export interface SeldonV1Prediction {
  /** The answer's data, in the codec's SeldonMessage form. */
  readonly payload: SeldonPayload;
  /** The answer's `meta`: `puid`, `tags`, `routing`, `requestPath`, `metrics`. */
  readonly meta: { readonly [key: string]: JsonValue } | undefined;
  /** `meta.puid`, else the `Seldon-Puid` header. */
  readonly puid: string | undefined;
}

/**
 * A Seldon Core v1 client (see `createSeldonV1Client`).
 *
 * @example
 * const client = createSeldonV1Client("http://ingress/seldon/default/iris");
 * const { payload } = await client.predict(inferInput("x", [1, 4], "FP64", [[5.1, 3.5, 1.4, 0.2]]));
 * await client.close();
 */
export interface SeldonV1Client {
  /** Sends a SeldonMessage (or an `InferInput`, written with `encoding`) and returns the answer. */
  predict(
    input: SeldonPayload | InferInput,
    options?: SeldonV1PredictCallOptions,
  ): Promise<SeldonV1Prediction>;
  /** Closes the client's connections (a transport passed in `transport` stays the caller's). */
  close(): Promise<void>;
}

function toPayload(input: SeldonPayload | InferInput, options: SeldonV1PredictCallOptions): SeldonPayload {
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

/**
 * The Seldon Core v1 (SeldonMessage) client for the server at `baseUrl`: the executor's external
 * API or a wrapped microservice over REST (default), or `seldon.protos.Seldon/Predict` over gRPC,
 * Connect or gRPC-Web. Errors carry Seldon's `status.info` as the server's message.
 *
 * @example
 * import { createSeldonV1Client, inferInput } from "@tensorwire/client";
 *
 * const rest = createSeldonV1Client("http://ingress/seldon/default/iris");
 * const grpc = createSeldonV1Client("http://ingress:5001", { protocol: "grpc" });
 * const input = inferInput("x", [1, 4], "FP64", [[5.1, 3.5, 1.4, 0.2]]);
 * const { payload, puid } = await rest.predict(input, { meta: { puid: "req-1" } });
 */
export function createSeldonV1Client(
  baseUrl: string,
  options: Partial<SeldonV1ClientOptions> = {},
): SeldonV1Client {
  const o = makeSeldonV1ClientOptions(options);
  if (o.protocol === "rest") {
    return createSeldonV1RestClient(baseUrl, o);
  }
  const { transport, close } = connectTransport(baseUrl, o.protocol, o);
  return createSeldonV1GrpcClient(transport, o, close);
}

function createSeldonV1RestClient(baseUrl: string, options: SeldonV1ClientOptions): SeldonV1Client {
  const rest = createRestCaller(baseUrl, options);
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
      const meta = json.meta === null ? undefined : (json.meta as JsonObject | undefined);
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

function createSeldonV1GrpcClient(
  transport: Transport,
  options: ClientOptions,
  onClose: () => void,
): SeldonV1Client {
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
