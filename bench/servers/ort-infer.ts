// The work every baseline server does per call, the same as tensorwire's: protobuf-es decode,
// the codec's gRPC conversions, one onnxruntime-node run, protobuf-es encode.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { decodeGrpcInferRequest, encodeGrpcInferResponse } from "@tensorwire/codec/grpc";
import { tensorFromOrt, tensorToOrt } from "@tensorwire/codec/ort";
import { tfsimpleModel } from "@tensorwire/models";
import {
  type ModelInferRequest,
  ModelInferRequestSchema,
  type ModelInferResponse,
  ModelInferResponseSchema,
} from "@tensorwire/proto/oip";
import { InferenceSession, type Tensor as OrtTensor } from "onnxruntime-node";

const session = await InferenceSession.create(tfsimpleModel().onnx);

export async function inferBytes(bytes: Uint8Array): Promise<Uint8Array> {
  return toBinary(ModelInferResponseSchema, await inferMessage(fromBinary(ModelInferRequestSchema, bytes)));
}

export async function inferMessage(message: ModelInferRequest): Promise<ModelInferResponse> {
  const request = decodeGrpcInferRequest(message);
  const feeds: Record<string, OrtTensor> = {};
  for (const t of request.inputs) {
    feeds[t.name] = tensorToOrt(t);
  }
  const results = await session.run(feeds);
  const outputs = session.outputNames.map((name) => tensorFromOrt(name, results[name] as OrtTensor));
  return encodeGrpcInferResponse({ modelName: request.modelName ?? "", modelVersion: "1", outputs });
}
