import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Datatype, datatypes } from "../datatype.js";
import { TensorwireError } from "../error.js";
import { parseJsonText, stringifyJsonText } from "../json-text.js";
import { createTensor, type Tensor, type TensorData, tensorEquals } from "../tensor.js";
import { arbTensor, arbUtf8Bytes, canonicalNaN } from "../testing/arbitraries.js";
import {
  decodeRestInferRequest,
  decodeRestInferResponse,
  encodeRestInferRequest,
  encodeRestInferResponse,
  tensorFromJson,
  tensorToJson,
} from "./rest-json.js";

const sameTensor = (a: Tensor, b: Tensor) => tensorEquals(canonicalNaN(a), canonicalNaN(b));
const arbJsonTensor = arbTensor({ bytes: arbUtf8Bytes });
const input = (datatype: string, shape: unknown, data: unknown) => ({ name: "x", datatype, shape, data });

describe("tensorToJson() / tensorFromJson()", () => {
  it("should round-trip every datatype (BYTES as UTF-8)", () => {
    fc.assert(fc.property(arbJsonTensor, (t) => sameTensor(tensorFromJson(tensorToJson(t)), t)));
  });

  it("should round-trip through JSON text written by stringifyJsonText, -0 and 64-bit integers included", () => {
    fc.assert(
      fc.property(arbJsonTensor, (t) => {
        const text = stringifyJsonText(tensorToJson(t) as never);
        return sameTensor(tensorFromJson(parseJsonText(text)), t);
      }),
    );
  });

  it("should write -0 as -0.0, a float to Python's json too", () => {
    const t = createTensor({ name: "x", datatype: "FP32", shape: [2], data: Float32Array.of(-0, 0) });
    const text = stringifyJsonText(tensorToJson(t) as never);
    expect(text).toContain('"data":[-0.0,0]');
    expect(Object.is((tensorFromJson(parseJsonText(text)).data as Float32Array)[0], -0)).toBe(true);
  });

  it.each<[Datatype, TensorData, unknown[]]>([
    ["BOOL", Uint8Array.of(1, 0), [true, false]],
    ["UINT8", Uint8Array.of(0, 255), [0, 255]],
    ["INT32", Int32Array.of(-1, 2), [-1, 2]],
    ["INT64", BigInt64Array.of(-(2n ** 63n), 5n), [-(2n ** 63n), 5]],
    ["UINT64", BigUint64Array.of(2n ** 64n - 1n), [2n ** 64n - 1n]],
    ["FP16", Uint16Array.of(0x3c00, 0x7c00, 0xfc00), [1, "Infinity", "-Infinity"]],
    ["FP32", Float32Array.of(1.5, Number.NaN), [1.5, "NaN"]],
    ["FP64", Float64Array.of(0.1), [0.1]],
    ["BYTES", [new TextEncoder().encode("héllo"), new Uint8Array(0)], ["héllo", ""]],
  ])("should write %s data as JSON", (datatype, data, json) => {
    const t = createTensor({ name: "x", datatype, shape: [data.length], data });
    expect(tensorToJson(t).data).toEqual(json);
    expect(tensorEquals(tensorFromJson(input(datatype, [data.length], json)), t)).toBe(true);
  });

  it("should accept nested data in the tensor's shape, equal to flat data", () => {
    const nested = tensorFromJson(
      input(
        "INT32",
        [2, 3],
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      ),
    );
    const flat = tensorFromJson(input("INT32", [2, 3], [1, 2, 3, 4, 5, 6]));
    expect(tensorEquals(nested, flat)).toBe(true);
    expect(
      tensorEquals(
        tensorFromJson(input("FP32", [2, 0], [[], []])),
        tensorFromJson(input("FP32", [2, 0], [])),
      ),
    ).toBe(true);
  });

  it.each([
    [
      "ragged nesting",
      input(
        "INT32",
        [2, 3],
        [
          [1, 2, 3],
          [4, 5],
        ],
      ),
      "ragged data: expected data[1] to be an array of 3",
    ],
    [
      "nesting in another shape",
      input(
        "INT32",
        [2, 3],
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      ),
      "expected data to be an array of 2",
    ],
    [
      "too few elements",
      input("FP32", [1, 16], new Array(15).fill(0)),
      "tensor 'x': expected 16 elements for shape [1,16], got 15",
    ],
    [
      "300 in UINT8",
      input("UINT8", [1], [300]),
      "data[0]: expected an integer in UINT8 range [0, 255], got 300",
    ],
    ["1.5 in INT32", input("INT32", [1], [1.5]), "data[0]: expected an integer in INT32 range"],
    [
      "a string in INT32",
      input("INT32", [1], ["1"]),
      'data[0]: expected an integer in INT32 range [-2147483648, 2147483647], got "1"',
    ],
    ["1 in BOOL", input("BOOL", [1], [1]), "data[0]: expected true or false, got 1"],
    ["a rounded number in INT64", input("INT64", [1], [2 ** 60]), "parse with parseJsonText"],
    ["a decimal string in INT64", input("INT64", [1], ["5"]), "data[0]: expected an integer in INT64 range"],
    ["2^64 in UINT64", input("UINT64", [1], [2n ** 64n]), "data[0]: expected an integer in UINT64 range"],
    [
      "a word in FP32",
      input("FP32", [1], ["nan"]),
      'expected a number (or "NaN", "Infinity", "-Infinity"), got "nan"',
    ],
    [
      "a lone surrogate in BYTES",
      input("BYTES", [1], ["\ud800"]),
      "expected a string of well-formed Unicode",
    ],
    ["a number in BYTES", input("BYTES", [1], [1]), "data[0]: expected a string"],
    ["an unknown datatype", input("FLOAT32", [1], [1]), "invalid datatype \"FLOAT32\" of tensor 'x'"],
    [
      "a negative dimension",
      input("FP32", [-1], [1]),
      "tensor 'x': expected shape[0] to be a non-negative integer, got -1",
    ],
    ["data that is not an array", input("FP32", [], 1), "tensor 'x': data: expected an array, got 1"],
    ["missing data", { name: "x", datatype: "FP32", shape: [0] }, "tensor 'x': missing data"],
    [
      "an object parameter",
      { ...input("FP32", [0], []), parameters: { a: {} } },
      "parameter 'a' must be a string, number or boolean",
    ],
  ])("should refuse %s", (_, json, message) => {
    expect(() => tensorFromJson(json)).toThrow(message);
  });

  it("should refuse to write BYTES that are not UTF-8, pointing at binary data", () => {
    const t = createTensor({ name: "s", datatype: "BYTES", shape: [1], data: [Uint8Array.of(0xff)] });
    expect(() => tensorToJson(t)).toThrow("tensor 's': BYTES element 0 is not valid UTF-8");
    expect(() => tensorToJson(t)).toThrow("send this tensor as binary data");
  });

  it("should read FP16 from JSON numbers, rounding to nearest even", () => {
    const t = tensorFromJson(input("FP16", [3], [1, 0.1, 65520]));
    expect(Array.from(t.data as Uint16Array)).toEqual([0x3c00, 0x2e66, 0x7c00]);
  });

  it("should throw only TensorwireError for arbitrary JSON", () => {
    const arbInput = fc.record(
      {
        name: fc.oneof(fc.string(), fc.jsonValue()),
        datatype: fc.oneof(fc.constantFrom(...datatypes), fc.jsonValue()),
        shape: fc.oneof(fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 }), fc.jsonValue()),
        parameters: fc.jsonValue(),
        data: fc.oneof(fc.array(fc.oneof(fc.jsonValue(), fc.bigInt()), { maxLength: 8 }), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(arbInput, fc.jsonValue()), (json) => {
        for (const decode of [tensorFromJson, decodeRestInferRequest, decodeRestInferResponse]) {
          try {
            decode(json);
          } catch (err) {
            expect(err).toBeInstanceOf(TensorwireError);
          }
        }
        try {
          decodeRestInferRequest({ inputs: [json], outputs: [json] });
        } catch (err) {
          expect(err).toBeInstanceOf(TensorwireError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("decodeRestInferRequest() / encodeRestInferRequest()", () => {
  it("should read the spec's request example", () => {
    const request = decodeRestInferRequest({
      id: "42",
      parameters: { binary_data_output: false },
      inputs: [
        { name: "input0", shape: [2, 2], datatype: "UINT32", data: [1, 2, 3, 4] },
        { name: "input1", shape: [3], datatype: "BOOL", data: [true, false, true] },
      ],
      outputs: [{ name: "output0", parameters: { binary_data: true } }],
    });
    expect(request.id).toBe("42");
    expect(request.parameters).toEqual({ binary_data_output: false });
    expect(request.inputs.map((t) => [t.name, t.datatype, t.shape])).toEqual([
      ["input0", "UINT32", [2, 2]],
      ["input1", "BOOL", [3]],
    ]);
    expect(request.outputs).toEqual([{ name: "output0", parameters: { binary_data: true } }]);
  });

  it("should round-trip requests and responses", () => {
    const arbParams = fc.option(
      fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.boolean(), fc.integer())),
      {
        nil: undefined,
      },
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(arbJsonTensor, { selector: (t) => t.name, maxLength: 3 }),
        arbParams,
        (inputs, parameters) => {
          const request = {
            id: "r",
            inputs,
            outputs: [{ name: "y" }],
            ...(parameters ? { parameters } : {}),
          };
          const back = decodeRestInferRequest(encodeRestInferRequest(request));
          expect(back.inputs.length).toBe(inputs.length);
          expect(back.inputs.every((t, i) => sameTensor(t, inputs[i] as Tensor))).toBe(true);
          expect(back.parameters).toEqual(parameters);
          expect(back.outputs).toEqual([{ name: "y" }]);
          const response = { modelName: "m", modelVersion: "1", outputs: inputs };
          const decoded = decodeRestInferResponse(
            JSON.parse(JSON.stringify(encodeRestInferResponse({ ...response, outputs: [] }))),
          );
          expect(decoded).toEqual({ modelName: "m", modelVersion: "1", outputs: [] });
        },
      ),
    );
  });

  it.each([
    ["a body that is not an object", [], "inference request: expected a JSON object, got []"],
    ["missing inputs", {}, "inputs: expected an array, got nothing"],
    ["a numeric id", { id: 1, inputs: [] }, "id: expected a string, got 1"],
    ["an input that is not an object", { inputs: [1] }, "inputs[0]: expected an object, got 1"],
    ["a nameless input", { inputs: [{}] }, "inputs[0].name: expected a string, got nothing"],
    [
      "duplicate input names",
      { inputs: [input("FP32", [0], []), input("FP32", [0], [])] },
      "duplicate input 'x'",
    ],
    [
      "duplicate output names",
      { inputs: [], outputs: [{ name: "y" }, { name: "y" }] },
      "duplicate output 'y'",
    ],
  ])("should refuse %s", (_, json, message) => {
    expect(() => decodeRestInferRequest(json)).toThrow(message);
  });
});

describe("decodeRestInferResponse() / encodeRestInferResponse()", () => {
  it("should write the response shape of the spec", () => {
    const outputs = [createTensor({ name: "y", datatype: "FP32", shape: [3, 2], data: new Float32Array(6) })];
    expect(encodeRestInferResponse({ modelName: "m", id: "42", outputs })).toEqual({
      model_name: "m",
      id: "42",
      outputs: [{ name: "y", shape: [3, 2], datatype: "FP32", data: [0, 0, 0, 0, 0, 0] }],
    });
  });

  it("should require model_name", () => {
    expect(() => decodeRestInferResponse({ outputs: [] })).toThrow(
      "model_name: expected a string, got nothing",
    );
  });
});
