import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  InferTensorContentsSchema,
  ModelInferRequest_InferInputTensorSchema,
  ModelInferRequestSchema,
  ModelInferResponseSchema,
} from "@tensorwire/proto/oip";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Datatype, datatypes, datatypeTable } from "../datatype.js";
import { TensorwireError } from "../error.js";
import type { InferRequest, InferResponse } from "../infer.js";
import { createTensor, type Tensor, tensorEquals } from "../tensor.js";
import { arbTensor, canonicalNaN } from "../testing/arbitraries.js";
import {
  decodeGrpcInferRequest,
  decodeGrpcInferRequestBinary,
  decodeGrpcInferResponse,
  decodeGrpcInferResponseBinary,
  decodeRequestBinaryFrom,
  decodeResponseBinaryFrom,
  encodeGrpcInferRequest,
  encodeGrpcInferResponse,
  parametersFromGrpc,
  parametersToGrpc,
  tensorFromContents,
  tensorToContents,
} from "./grpc-contents.js";

// FP16 is the one datatype without an InferTensorContents field (the spec: raw contents only).
const typedDatatypes = datatypes.filter((d) => d !== "FP16");
const arbTensors = (types: readonly Datatype[] = datatypes) =>
  fc.uniqueArray(arbTensor({ datatypes: types }), { selector: (t) => t.name, maxLength: 3 });
const arbParameters = fc.option(
  fc.dictionary(
    fc.string({ maxLength: 4 }),
    fc.oneof(
      fc.string(),
      fc.boolean(),
      fc.integer(),
      fc.double({ noNaN: true }),
      // Safe integers come back as numbers, whatever type they went in as.
      fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
    ),
    { minKeys: 1, maxKeys: 3 },
  ),
  { nil: undefined },
);

function sameTensors(a: readonly Tensor[], b: readonly Tensor[]): boolean {
  // protobuf-es reads floats through numbers, which may quiet a signalling NaN: NaNs compare as NaN.
  return (
    a.length === b.length && a.every((t, i) => tensorEquals(canonicalNaN(t), canonicalNaN(b[i] as Tensor)))
  );
}

function expectSameRequest(a: InferRequest, b: InferRequest): void {
  expect(sameTensors(a.inputs, b.inputs)).toBe(true);
  expect({ ...a, inputs: [] }).toEqual({ ...b, inputs: [] });
}

const first = <T>(items: readonly T[]): T => items[0] as T;

const tensor = (datatype: Datatype, data: Tensor["data"], name = "x") =>
  createTensor({ name, datatype, shape: [data.length], data });

describe("tensorToContents() / tensorFromContents()", () => {
  it.each<[Datatype, Tensor["data"], string, unknown[]]>([
    ["BOOL", Uint8Array.of(1, 0), "boolContents", [true, false]],
    ["INT8", Int8Array.of(-128), "intContents", [-128]],
    ["INT16", Int16Array.of(-2), "intContents", [-2]],
    ["INT32", Int32Array.of(1), "intContents", [1]],
    ["INT64", BigInt64Array.of(-(2n ** 63n)), "int64Contents", [-(2n ** 63n)]],
    ["UINT8", Uint8Array.of(255), "uintContents", [255]],
    ["UINT16", Uint16Array.of(65535), "uintContents", [65535]],
    ["UINT32", Uint32Array.of(2 ** 32 - 1), "uintContents", [2 ** 32 - 1]],
    ["UINT64", BigUint64Array.of(2n ** 64n - 1n), "uint64Contents", [2n ** 64n - 1n]],
    ["FP32", Float32Array.of(1.5), "fp32Contents", [1.5]],
    ["FP64", Float64Array.of(0.1), "fp64Contents", [0.1]],
    ["BYTES", [Uint8Array.of(0xff)], "bytesContents", [Uint8Array.of(0xff)]],
  ])("should carry %s in %s", (datatype, data, field, values) => {
    const contents = tensorToContents(tensor(datatype, data));
    expect(contents[field as "intContents"]).toEqual(values);
    expect(datatypeTable[datatype].contentsField).toBe(field);
    expect(
      tensorEquals(
        tensorFromContents({ name: "x", datatype, shape: [data.length] }, contents),
        tensor(datatype, data),
      ),
    ).toBe(true);
  });

  it("should round-trip every datatype with a field (all but FP16)", () => {
    fc.assert(
      fc.property(arbTensor({ datatypes: typedDatatypes }), (t) =>
        sameTensors([tensorFromContents(t, tensorToContents(t))], [t]),
      ),
    );
  });

  it.each<[string, () => unknown, string]>([
    [
      "FP16 typed contents",
      () => tensorToContents(tensor("FP16", Uint16Array.of(0))),
      "tensor 'x': FP16 has no InferTensorContents field: send it in raw contents",
    ],
    [
      "reading FP16 typed contents",
      () =>
        tensorFromContents({ name: "h", datatype: "FP16", shape: [0] }, create(InferTensorContentsSchema)),
      "tensor 'h': FP16 has no",
    ],
    [
      "a datatype in another's field",
      () =>
        tensorFromContents(
          { name: "x", datatype: "INT32", shape: [1] },
          create(InferTensorContentsSchema, { fp32Contents: [1] }),
        ),
      "tensor 'x': INT32 data belongs in int_contents, got fp32_contents",
    ],
    [
      "300 in UINT8",
      () =>
        tensorFromContents(
          { name: "x", datatype: "UINT8", shape: [1] },
          create(InferTensorContentsSchema, { uintContents: [300] }),
        ),
      "tensor 'x': uint_contents[0] is 300, out of UINT8 range [0, 255]",
    ],
    [
      "a count that does not match the shape",
      () =>
        tensorFromContents(
          { name: "INPUT0", datatype: "INT32", shape: [1, 16] },
          create(InferTensorContentsSchema, { intContents: new Array(15).fill(0) }),
        ),
      "tensor 'INPUT0': expected 16 elements for shape [1,16], got 15",
    ],
  ])("should refuse %s", (_, run, message) => {
    expect(run).toThrow(message);
  });
});

describe("parametersToGrpc() / parametersFromGrpc()", () => {
  it("should pick the InferParameter field by value", () => {
    const map = parametersToGrpc({
      s: "a",
      b: true,
      i: 5,
      d: 0.5,
      z: -0,
      big: 2n ** 63n,
      neg: -(2n ** 60n),
    });
    expect(Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v.parameterChoice]))).toEqual({
      s: { case: "stringParam", value: "a" },
      b: { case: "boolParam", value: true },
      i: { case: "int64Param", value: 5n },
      d: { case: "doubleParam", value: 0.5 },
      z: { case: "doubleParam", value: -0 },
      big: { case: "uint64Param", value: 2n ** 63n },
      neg: { case: "int64Param", value: -(2n ** 60n) },
    });
    expect(parametersFromGrpc(map)).toEqual({
      s: "a",
      b: true,
      i: 5,
      d: 0.5,
      z: -0,
      big: 2n ** 63n,
      neg: -(2n ** 60n),
    });
  });

  it("should refuse a parameter without a value and a bigint past 64 bits", () => {
    expect(() =>
      parametersFromGrpc({
        p:
          create(ModelInferRequest_InferInputTensorSchema).parameters.p ??
          ({ parameterChoice: { case: undefined } } as never),
      }),
    ).toThrow("parameter 'p' has no value of a known kind");
    expect(() => parametersToGrpc({ p: 2n ** 64n })).toThrow(
      "parameter 'p': 18446744073709551616 is outside the 64-bit integer range",
    );
  });
});

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
      "contents field must not be specified when using raw_input_contents for 'a'",
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

describe("decodeGrpcInferRequestBinary()", () => {
  /**
   * The fast path's answer must be the generated decoder's: the same value or both an error. The
   * generated messages are small, so the fast path is asked for from 0 bytes on.
   */
  function outcome(
    decode: () => InferRequest | InferResponse,
    ours = true,
  ): InferRequest | InferResponse | "error" {
    try {
      return decode();
    } catch (err) {
      // protobuf-es throws its own errors; ours are always TensorwireError.
      if (ours) {
        expect(err).toBeInstanceOf(TensorwireError);
      }
      return "error";
    }
  }

  function expectSameOutcome(bytes: Uint8Array): void {
    const generated = outcome(
      () => decodeGrpcInferRequest(fromBinary(ModelInferRequestSchema, bytes)),
      false,
    );
    const fast = outcome(() => decodeRequestBinaryFrom(bytes, 0));
    if (generated === "error" || fast === "error") {
      expect(fast).toBe(generated);
    } else {
      expectSameRequest(fast as InferRequest, generated as InferRequest);
    }
    const generatedResponse = outcome(
      () => decodeGrpcInferResponse(fromBinary(ModelInferResponseSchema, bytes)),
      false,
    );
    const fastResponse = outcome(() => decodeResponseBinaryFrom(bytes, 0));
    if (generatedResponse === "error" || fastResponse === "error") {
      expect(fastResponse).toBe(generatedResponse);
    } else {
      expect(
        sameTensors((fastResponse as InferResponse).outputs, (generatedResponse as InferResponse).outputs),
      ).toBe(true);
    }
  }

  const arbFloatRequest = fc
    .tuple(arbTensors(["FP32", "FP64", "INT32", "BYTES"]), arbParameters)
    .map(([inputs, parameters]) =>
      toBinary(
        ModelInferRequestSchema,
        encodeGrpcInferRequest(
          { modelName: "m", inputs, ...(parameters ? { parameters } : {}) },
          { contents: "typed" },
        ),
      ),
    );

  it("should equal the generated decoder on valid messages", () => {
    fc.assert(fc.property(arbFloatRequest, expectSameOutcome));
  });

  it("should equal the generated decoder on corrupted messages (same value or both an error)", () => {
    fc.assert(
      fc.property(
        arbFloatRequest,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        (bytes, edits) => {
          const corrupted = bytes.slice();
          for (const [at, value] of edits) {
            if (corrupted.length > 0) {
              corrupted[at % corrupted.length] = value;
            }
          }
          expectSameOutcome(corrupted);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("should equal the generated decoder on arbitrary bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), expectSameOutcome), { numRuns: 1000 });
  });

  it("should read long packed fp32_contents without protobuf-es's per-element decode", () => {
    const inputs = [
      tensor(
        "FP32",
        new Float32Array(8192).map((_, i) => i),
        "a",
      ),
    ];
    const bytes = toBinary(
      ModelInferRequestSchema,
      encodeGrpcInferRequest({ modelName: "m", inputs }, { contents: "typed" }),
    );
    const data = decodeGrpcInferRequestBinary(bytes).inputs[0]?.data as Float32Array;
    expect(data[8191]).toBe(8191);
    // The fast path's data come from the message bytes: a view when aligned, else a copy of them.
    const offset = Buffer.from(bytes).indexOf(
      Buffer.from(new Uint8Array((first(inputs).data as Float32Array).buffer)),
    );
    expect(data.buffer === bytes.buffer).toBe(offset % 4 === 0);
  });
});
