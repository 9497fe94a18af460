import { create } from "@bufbuild/protobuf";
import {
  type ModelInferRequest,
  ModelInferRequest_InferInputTensorSchema,
  ModelInferRequest_InferRequestedOutputTensorSchema,
  ModelInferRequestSchema,
  type ModelInferResponse,
  ModelInferResponse_InferOutputTensorSchema,
  ModelInferResponseSchema,
} from "@tensorwire/proto/oip";
import { invalidArgument } from "../error.js";
import type { InferRequest, InferResponse, RequestedOutput } from "../infer.js";
import { type TensorHeader, tensorFromRawContents, tensorToRawContents } from "../internal/raw-contents.js";
import { checkUniqueNames } from "../internal/unique-names.js";
import type { Tensor } from "../tensor.js";
import { type ContentsValues, contentsFields, tensorFromContents, tensorToContents } from "./contents.js";
import { type ParameterMap, parametersFromGrpc, parametersToGrpc } from "./parameters.js";

/**
 * OIP gRPC (`ModelInferRequest` / `ModelInferResponse`, protobuf-es v2 messages) to and from the
 * in-memory model: typed `InferTensorContents`, `raw_input_contents` / `raw_output_contents`, and
 * `InferParameter` maps. fast-decoder.ts reads serialized messages faster.
 */

/** An `InferInputTensor` or `InferOutputTensor`. */
export interface TensorMessage {
  /** The tensor's name. */
  readonly name: string;
  /** Its OIP datatype, as sent (checked when decoded). */
  readonly datatype: string;
  /** Its shape. */
  readonly shape: readonly bigint[];
  /** Its parameters. */
  readonly parameters: ParameterMap;
  /** Its typed contents; absent when the data travel in the raw contents. */
  readonly contents?: ContentsValues | undefined;
}

/** Options of `encodeGrpcInferRequest` and `encodeGrpcInferResponse`. */
export interface GrpcEncodeOptions {
  /**
   * How tensor data travels. "raw" (the default): `raw_*_contents`, little-endian bytes, the fast
   * form and the only one for FP16. "typed": the `InferTensorContents` field of each datatype.
   */
  readonly contents: "raw" | "typed";
}

const defaultEncodeOptions: GrpcEncodeOptions = { contents: "raw" };

function tensorsFromGrpc(
  messages: readonly TensorMessage[],
  raw: readonly Uint8Array[],
  rawField: "raw_input_contents" | "raw_output_contents",
  kind: "input" | "output",
  model: string,
): Tensor[] {
  if (raw.length > 0) {
    // Checked before the count, in Triton's order and words: a tensor with typed contents beside
    // raw ones is the mistake to name, whatever the raw count.
    for (const m of messages) {
      // An empty `contents` carries no data, so it cannot conflict with a raw entry; MLServer sends
      // one beside every raw output.
      const { contents } = m;
      if (contents !== undefined && contentsFields.some((f) => contents[f].length > 0)) {
        const forModel = model === "" ? "" : ` for model '${model}'`;
        throw invalidArgument(
          `contents field must not be specified when using ${rawField} for '${m.name}'${forModel}`,
          { tensor: m.name, field: "contents" },
        );
      }
    }
    if (raw.length !== messages.length) {
      throw invalidArgument(
        `${rawField} has ${raw.length} entries for ${messages.length} ${kind}s: expected one per ${kind}`,
        { field: rawField },
      );
    }
  }
  const tensors = messages.map((m, i) => {
    const header: TensorHeader = {
      name: m.name,
      datatype: m.datatype,
      shape: m.shape,
      parameters: parametersFromGrpc(m.parameters, m.name),
    };
    return raw.length === 0
      ? tensorFromContents(header, m.contents)
      : tensorFromRawContents(header, raw[i] as Uint8Array);
  });
  checkUniqueNames(tensors, kind);
  return tensors;
}

function tensorMessagesToGrpc(
  tensors: readonly Tensor[],
  options: GrpcEncodeOptions,
): { messages: TensorMessage[]; raw: Uint8Array[] } {
  const raw = options.contents === "raw";
  const messages = tensors.map((t) => ({
    name: t.name,
    datatype: t.datatype,
    shape: t.shape.map(BigInt),
    parameters: parametersToGrpc(t.parameters),
    contents: raw ? undefined : tensorToContents(t),
  }));
  return { messages, raw: raw ? tensors.map(tensorToRawContents) : [] };
}

/** The request message's fields this codec reads, so the fast decoder can pass its own tensors. */
export type RequestFields = Pick<
  ModelInferRequest,
  "modelName" | "modelVersion" | "id" | "parameters" | "outputs"
> & {
  /** The input tensors. */
  readonly inputs: readonly TensorMessage[];
  /** `raw_input_contents`: one entry per input whose data are raw, in input order. */
  readonly rawInputContents: readonly Uint8Array[];
};

/** The response message's fields this codec reads, so the fast decoder can pass its own tensors. */
export type ResponseFields = Pick<ModelInferResponse, "modelName" | "modelVersion" | "id" | "parameters"> & {
  /** The output tensors. */
  readonly outputs: readonly TensorMessage[];
  /** `raw_output_contents`: one entry per output whose data are raw, in output order. */
  readonly rawOutputContents: readonly Uint8Array[];
};

/** Server side: reads a `ModelInferRequest`. Raw data are views into the message's bytes. */
export function decodeGrpcInferRequest(message: RequestFields): InferRequest {
  const parameters = parametersFromGrpc(message.parameters);
  const inputs = tensorsFromGrpc(
    message.inputs,
    message.rawInputContents,
    "raw_input_contents",
    "input",
    message.modelName,
  );
  const outputs = message.outputs.map((o): RequestedOutput => {
    const p = parametersFromGrpc(o.parameters, o.name);
    return p === undefined ? { name: o.name } : { name: o.name, parameters: p };
  });
  checkUniqueNames(outputs, "output");
  return {
    modelName: message.modelName,
    ...(message.modelVersion === "" ? {} : { modelVersion: message.modelVersion }),
    ...(message.id === "" ? {} : { id: message.id }),
    ...(parameters === undefined ? {} : { parameters }),
    inputs,
    // proto3 cannot tell an empty list from an absent one; both mean "all outputs".
    ...(outputs.length === 0 ? {} : { outputs }),
  };
}

/** Client side: reads a `ModelInferResponse`. */
export function decodeGrpcInferResponse(message: ResponseFields): InferResponse {
  const parameters = parametersFromGrpc(message.parameters);
  return {
    modelName: message.modelName,
    ...(message.modelVersion === "" ? {} : { modelVersion: message.modelVersion }),
    ...(message.id === "" ? {} : { id: message.id }),
    ...(parameters === undefined ? {} : { parameters }),
    outputs: tensorsFromGrpc(
      message.outputs,
      message.rawOutputContents,
      "raw_output_contents",
      "output",
      message.modelName,
    ),
  };
}

/**
 * Client side: writes a `ModelInferRequest`; `request.modelName` is required on gRPC.
 *
 * @example
 * const x = createTensor({ name: "x", datatype: "FP32", shape: [1, 2], data: Float32Array.of(1, 2) });
 * const message = encodeGrpcInferRequest({ modelName: "m", inputs: [x] }); // raw contents
 * const bytes = toBinary(ModelInferRequestSchema, message);
 * decodeGrpcInferRequestBinary(bytes).inputs[0]?.data; // Float32Array [1, 2]
 */
export function encodeGrpcInferRequest(
  request: InferRequest,
  options: Partial<GrpcEncodeOptions> = {},
): ModelInferRequest {
  if (request.modelName === undefined) {
    throw invalidArgument("a gRPC request names its model: set modelName", { field: "model_name" });
  }
  const { messages, raw } = tensorMessagesToGrpc(request.inputs, { ...defaultEncodeOptions, ...options });
  return create(ModelInferRequestSchema, {
    modelName: request.modelName,
    modelVersion: request.modelVersion ?? "",
    id: request.id ?? "",
    parameters: parametersToGrpc(request.parameters),
    inputs: messages.map((m) => create(ModelInferRequest_InferInputTensorSchema, m as never)),
    outputs: (request.outputs ?? []).map((o) =>
      create(ModelInferRequest_InferRequestedOutputTensorSchema, {
        name: o.name,
        parameters: parametersToGrpc(o.parameters),
      }),
    ),
    rawInputContents: raw,
  });
}

/** Server side: writes a `ModelInferResponse`, raw by default (see `GrpcEncodeOptions`). */
export function encodeGrpcInferResponse(
  response: InferResponse,
  options: Partial<GrpcEncodeOptions> = {},
): ModelInferResponse {
  const { messages, raw } = tensorMessagesToGrpc(response.outputs, { ...defaultEncodeOptions, ...options });
  return create(ModelInferResponseSchema, {
    modelName: response.modelName,
    modelVersion: response.modelVersion ?? "",
    id: response.id ?? "",
    parameters: parametersToGrpc(response.parameters),
    outputs: messages.map((m) => create(ModelInferResponse_InferOutputTensorSchema, m as never)),
    rawOutputContents: raw,
  });
}
