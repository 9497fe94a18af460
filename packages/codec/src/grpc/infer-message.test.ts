import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  InferTensorContentsSchema,
  ModelInferRequestSchema,
  ModelInferResponseSchema,
} from "@tensorwire/proto/oip";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { datatypes } from "../datatype.js";
import type { InferRequest, InferResponse } from "../infer.js";
import { createTensor, tensorEquals } from "../tensor.js";
import {
  arbParameters,
  arbTensors,
  expectSameRequest,
  first,
  sameTensors,
  tensor,
  typedDatatypes,
} from "../testing/grpc-messages.js";
import {
  decodeGrpcInferRequestBinary,
  decodeGrpcInferResponseBinary,
  decodeRequestBinaryFrom,
  decodeResponseBinaryFrom,
} from "./fast-decoder.js";
import {
  decodeGrpcInferRequest,
  decodeGrpcInferResponse,
  encodeGrpcInferRequest,
  encodeGrpcInferResponse,
} from "./infer-message.js";

describe("encodeGrpcInferRequest() / decodeGrpcInferRequest()", () => {
  it.each(["raw", "typed"] as const)("should round-trip requests with %s contents", (contents) => {
    fc.assert(
      fc.property(
        arbTensors(contents === "raw" ? datatypes : typedDatatypes),
        arbParameters,
        (inputs, parameters) => {
          const request: InferRequest = {
            modelName: "m",
            id: "7",
            inputs,
            outputs: [{ name: "y", parameters: { binary_data: true } }],
            ...(parameters === undefined ? {} : { parameters }),
          };
          const message = encodeGrpcInferRequest(request, { contents });
          const bytes = toBinary(ModelInferRequestSchema, message);
          expectSameRequest(decodeGrpcInferRequest(fromBinary(ModelInferRequestSchema, bytes)), request);
          expectSameRequest(decodeGrpcInferRequestBinary(bytes), request);
          expectSameRequest(decodeRequestBinaryFrom(bytes, 0), request);
        },
      ),
    );
  });

  it("should write raw contents little-endian, BYTES length-prefixed", () => {
    const message = encodeGrpcInferRequest({
      modelName: "m",
      inputs: [
        tensor("INT32", Int32Array.of(1), "a"),
        tensor("FP16", Uint16Array.of(0x3c00), "b"),
        tensor("BYTES", [new TextEncoder().encode("ab")], "c"),
      ],
    });
    expect(message.rawInputContents.map((b) => Buffer.from(b).toString("hex"))).toEqual([
      "01000000",
      "003c",
      "020000006162",
    ]);
    expect(message.inputs.every((i) => i.contents === undefined)).toBe(true);
  });

  const base = () =>
    encodeGrpcInferRequest({ modelName: "m", inputs: [tensor("FP32", Float32Array.of(1, 2), "a")] });
  it.each<[string, () => unknown, string]>([
    [
      "raw contents mixed with typed contents",
      () => {
        const m = base();
        first(m.inputs).contents = create(InferTensorContentsSchema, { intContents: [1] });
        return decodeGrpcInferRequest(m);
      },
      "contents field must not be specified when using raw_input_contents for 'a' for model 'm'",
    ],
    [
      "typed contents beside fewer raw entries than inputs (named first, as Triton does)",
      () => {
        const m = encodeGrpcInferRequest({
          modelName: "m",
          inputs: ["a", "b"].map((name) => tensor("FP32", Float32Array.of(1, 2), name)),
        });
        m.rawInputContents.pop();
        first(m.inputs).contents = create(InferTensorContentsSchema, { fp32Contents: [1, 2] });
        return decodeGrpcInferRequest(m);
      },
      "contents field must not be specified when using raw_input_contents for 'a' for model 'm'",
    ],
    [
      "a raw count that is not the input count",
      () => {
        const m = base();
        m.rawInputContents.push(new Uint8Array(0));
        return decodeGrpcInferRequest(m);
      },
      "raw_input_contents has 2 entries for 1 inputs: expected one per input",
    ],
    [
      "duplicate input names",
      () => {
        const m = base();
        m.inputs.push(first(m.inputs));
        m.rawInputContents.push(first(m.rawInputContents));
        return decodeGrpcInferRequest(m);
      },
      "duplicate input 'a'",
    ],
    [
      "a raw length that does not match the shape",
      () => {
        const m = base();
        m.rawInputContents[0] = new Uint8Array(7);
        return decodeGrpcInferRequest(m);
      },
      "tensor 'a': expected 8 bytes for FP32 shape [2], got 7",
    ],
    [
      "an overrunning BYTES length prefix",
      () => {
        const m = base();
        first(m.inputs).datatype = "BYTES";
        m.rawInputContents[0] = Uint8Array.of(9, 0, 0, 0, 1);
        return decodeGrpcInferRequest(m);
      },
      "BYTES element 0 declares 9 bytes",
    ],
    [
      "a request without a model name",
      () => encodeGrpcInferRequest({ inputs: [] }),
      "a gRPC request names its model: set modelName",
    ],
    [
      "bytes that are not a message",
      () => decodeGrpcInferRequestBinary(Uint8Array.of(0x2a, 0x05, 0x01)),
      "invalid protobuf message",
    ],
  ])("should refuse %s", (_, run, message) => {
    expect(run).toThrow(message);
  });
  it("should accept an empty contents beside raw contents (MLServer sends one), since it carries no data", () => {
    const request: InferRequest = {
      modelName: "m",
      inputs: [createTensor({ name: "a", datatype: "INT32", shape: [2], data: Int32Array.of(1, -1) })],
    };
    const m = encodeGrpcInferRequest(request, { contents: "raw" });
    first(m.inputs).contents = create(InferTensorContentsSchema);
    expect(tensorEquals(first(decodeGrpcInferRequest(m).inputs), first(request.inputs))).toBe(true);
  });
});

describe("encodeGrpcInferResponse() / decodeGrpcInferResponse()", () => {
  it.each(["raw", "typed"] as const)("should round-trip responses with %s contents", (contents) => {
    fc.assert(
      fc.property(arbTensors(contents === "raw" ? datatypes : typedDatatypes), (outputs) => {
        const response: InferResponse = { modelName: "m", modelVersion: "2", outputs };
        const bytes = toBinary(ModelInferResponseSchema, encodeGrpcInferResponse(response, { contents }));
        for (const back of [
          decodeGrpcInferResponse(fromBinary(ModelInferResponseSchema, bytes)),
          decodeGrpcInferResponseBinary(bytes),
          decodeResponseBinaryFrom(bytes, 0),
        ]) {
          expect(sameTensors(back.outputs, outputs)).toBe(true);
          expect({ ...back, outputs: [] }).toEqual({ ...response, outputs: [] });
        }
      }),
    );
  });
});
