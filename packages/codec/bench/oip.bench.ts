import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { createTensor, type InferRequest, type Tensor } from "@tensorwire/codec";
import {
  decodeGrpcInferRequest,
  decodeGrpcInferRequestBinary,
  encodeGrpcInferRequest,
  tensorFromRawContents,
  tensorToRawContents,
} from "@tensorwire/codec/grpc";
import { tensorFromOrt, tensorToOrt } from "@tensorwire/codec/ort";
import {
  decodeBinaryRequest,
  decodeRestInferRequest,
  encodeBinaryRequest,
  encodeRestInferRequest,
  joinBinaryBody,
} from "@tensorwire/codec/rest";
import { ModelInferRequestSchema } from "@tensorwire/proto/oip";
import type { BenchCase } from "./types.ts";

/**
 * The OIP family through every format: a 1 MiB FP32 tensor (the size where copies and per-element
 * work show) and a [1,16] INT32 tensor (the size where fixed per-message costs show).
 */

// 1 MiB of FP32; values vary so no format can compress or special-case them.
const big = createTensor({
  name: "INPUT0",
  datatype: "FP32",
  shape: [1, 262144],
  data: Float32Array.from({ length: 262144 }, (_, i) => Math.sin(i) * 1000),
});
const small = createTensor({
  name: "INPUT0",
  datatype: "INT32",
  shape: [1, 16],
  data: Int32Array.from({ length: 16 }, (_, i) => i * 1000 - 7),
});

function casesFor(label: string, tensor: Tensor): BenchCase[] {
  const request: InferRequest = { modelName: "m", id: "1", inputs: [tensor] };
  const raw = Uint8Array.from(tensorToRawContents(tensor));
  const binary = encodeBinaryRequest(request);
  const binaryBody = joinBinaryBody(binary);
  const jsonText = JSON.stringify(encodeRestInferRequest(request));
  const grpcTyped = toBinary(ModelInferRequestSchema, encodeGrpcInferRequest(request, { contents: "typed" }));
  const grpcRaw = toBinary(ModelInferRequestSchema, encodeGrpcInferRequest(request, { contents: "raw" }));
  const ort = tensorToOrt(tensor);
  const copy = `copy/Buffer.from/${label}`;
  const jsonE2e = `json/e2e/${label}`;
  const protobufEs = `grpc/typed/protobuf-es/${label}`;
  return [
    { name: copy, group: `raw-decode-${label}`, fn: () => Buffer.from(raw) },
    {
      name: `raw/decode/${label}`,
      group: `raw-decode-${label}`,
      baseline: copy,
      goal: "<= 3x",
      fn: () => tensorFromRawContents(tensor, raw),
    },
    {
      name: `copy/Buffer.from/body/${label}`,
      group: `binary-decode-${label}`,
      fn: () => Buffer.from(binaryBody),
    },
    {
      name: `binary/decode/${label}`,
      group: `binary-decode-${label}`,
      baseline: `copy/Buffer.from/body/${label}`,
      goal: "<= 3x",
      fn: () => decodeBinaryRequest(binaryBody, binary.headerLength),
    },
    {
      name: jsonE2e,
      group: `rest-e2e-${label}`,
      fn: () => decodeRestInferRequest(JSON.parse(JSON.stringify(encodeRestInferRequest(request)))),
    },
    {
      name: `binary/e2e/${label}`,
      group: `rest-e2e-${label}`,
      baseline: jsonE2e,
      // "Binary at least 50x faster than JSON" as a time ratio.
      goal: "<= 0.02x",
      fn: () => {
        const body = encodeBinaryRequest(request);
        return decodeBinaryRequest(joinBinaryBody(body), body.headerLength);
      },
    },
    {
      name: `rest/json-decode/${label}`,
      group: `server-decode-${label}`,
      fn: () => decodeRestInferRequest(JSON.parse(jsonText)),
    },
    {
      name: protobufEs,
      group: `grpc-typed-decode-${label}`,
      fn: () => decodeGrpcInferRequest(fromBinary(ModelInferRequestSchema, grpcTyped)),
    },
    {
      name: `grpc/typed/fast/${label}`,
      group: `grpc-typed-decode-${label}`,
      baseline: protobufEs,
      fn: () => decodeGrpcInferRequestBinary(grpcTyped),
    },
    {
      name: `grpc/raw/fast/${label}`,
      group: `grpc-typed-decode-${label}`,
      baseline: protobufEs,
      fn: () => decodeGrpcInferRequestBinary(grpcRaw),
    },
    { name: `ort/to/${label}`, group: `ort-${label}`, fn: () => tensorToOrt(tensor) },
    { name: `ort/from/${label}`, group: `ort-${label}`, fn: () => tensorFromOrt("INPUT0", ort) },
  ];
}

/**
 * The fast gRPC decoder's framing scan, where it is most of the work: 64 KiB of INT32 varints that
 * the scan walks and then leaves to protobuf-es (no fast path for them), and 64 small FP32 tensors
 * that it frames one by one.
 */
function scanCases(label: string, inputs: Tensor[]): BenchCase[] {
  const bytes = toBinary(
    ModelInferRequestSchema,
    encodeGrpcInferRequest({ modelName: "m", inputs }, { contents: "typed" }),
  );
  const baseline = `grpc/scan/protobuf-es/${label}`;
  return [
    {
      name: baseline,
      group: `grpc-scan-${label}`,
      fn: () => decodeGrpcInferRequest(fromBinary(ModelInferRequestSchema, bytes)),
    },
    {
      name: `grpc/scan/fast/${label}`,
      group: `grpc-scan-${label}`,
      baseline,
      fn: () => decodeGrpcInferRequestBinary(bytes),
    },
  ];
}

const varints = createTensor({
  name: "INPUT0",
  datatype: "INT32",
  shape: [1, 16384],
  data: Int32Array.from({ length: 16384 }, (_, i) => i * 1000 - 7),
});
const manySmall = Array.from({ length: 64 }, (_, k) =>
  createTensor({
    name: `INPUT${k}`,
    datatype: "FP32",
    shape: [1, 256],
    data: Float32Array.from({ length: 256 }, (_, i) => Math.sin(i + k)),
  }),
);

export const cases: BenchCase[] = [
  ...casesFor("fp32-1MiB", big),
  ...casesFor("int32-1x16", small),
  ...scanCases("int32-16384", [varints]),
  ...scanCases("fp32-64x256", manySmall),
];
