import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TensorwireError } from "../error.js";
import type { InferRequest } from "../infer.js";
import { createTensor, type Tensor, tensorEquals } from "../tensor.js";
import { arbTensor, arbUtf8Bytes } from "../testing/arbitraries.js";
import {
  decodeBinaryRequest,
  decodeBinaryResponse,
  encodeBinaryRequest,
  encodeBinaryResponse,
  joinBinaryBody,
} from "./binary-extension.js";

const utf8 = new TextEncoder();
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** A body as a client writes it by hand: the JSON header, then the blobs. */
function body(header: unknown, ...blobs: Uint8Array[]): { bytes: Uint8Array; headerLength: number } {
  const json = utf8.encode(JSON.stringify(header));
  return { bytes: Buffer.concat([json, ...blobs]), headerLength: json.length };
}

const arbTensors = fc.uniqueArray(arbTensor(), { selector: (t) => t.name, maxLength: 4 });

describe("decodeBinaryRequest()", () => {
  it("should read Triton's example sizes: UINT32 [2,2] 16 bytes, BOOL [3] 3, FP32 [3,2] 24", () => {
    const { bytes, headerLength } = body(
      {
        inputs: [
          { name: "a", shape: [2, 2], datatype: "UINT32", parameters: { binary_data_size: 16 } },
          { name: "b", shape: [3], datatype: "BOOL", parameters: { binary_data_size: 3 } },
          { name: "c", shape: [3, 2], datatype: "FP32", parameters: { binary_data_size: 24 } },
        ],
      },
      new Uint8Array(Uint32Array.of(1, 2, 3, 4).buffer),
      Uint8Array.of(1, 0, 1),
      new Uint8Array(Float32Array.of(1, 2, 3, 4, 5, 6).buffer),
    );
    const request = decodeBinaryRequest(bytes, String(headerLength));
    expect(request.inputs.map((t) => Array.from(t.data as ArrayLike<number>))).toEqual([
      [1, 2, 3, 4],
      [1, 0, 1],
      [1, 2, 3, 4, 5, 6],
    ]);
    // binary_data_size is framing, not a tensor parameter.
    expect(request.inputs[0]?.parameters).toBeUndefined();
  });

  it("should mix JSON and binary inputs: JSON inputs take no blob", () => {
    const { bytes, headerLength } = body(
      {
        inputs: [
          { name: "j", shape: [1], datatype: "INT32", data: [7] },
          { name: "s", shape: [1], datatype: "BYTES", parameters: { binary_data_size: 6, keep: "me" } },
        ],
      },
      Uint8Array.of(2, 0, 0, 0, 0xff, 0xfe),
    );
    const [j, s] = decodeBinaryRequest(bytes, headerLength).inputs as [Tensor, Tensor];
    expect(j.data[0]).toBe(7);
    expect(hex((s.data as Uint8Array[])[0] as Uint8Array)).toBe("fffe");
    expect(s.parameters).toEqual({ keep: "me" });
  });

  it("should read a body without the header as JSON", () => {
    const { bytes } = body({ inputs: [{ name: "j", shape: [1], datatype: "INT32", data: [7] }] });
    expect(decodeBinaryRequest(bytes, undefined).inputs[0]?.data[0]).toBe(7);
  });

  const one = { inputs: [{ name: "a", shape: [2], datatype: "FP32", parameters: { binary_data_size: 8 } }] };
  it.each<[string, () => unknown, string]>([
    [
      "a non-integer header",
      () => decodeBinaryRequest(body(one).bytes, "1.5"),
      'Unable to parse Inference-Header-Content-Length, got: "1.5"',
    ],
    ["a negative header", () => decodeBinaryRequest(body(one).bytes, -1), "must be in the range [0, "],
    [
      "a header past the body",
      () => decodeBinaryRequest(Uint8Array.of(1), 2),
      "must be in the range [0, 1] (the body length), got 2",
    ],
    [
      "a header of 0 (raw binary request)",
      () => decodeBinaryRequest(Uint8Array.of(1), 0),
      "raw binary request",
    ],
    ["a header that is not JSON", () => decodeBinaryRequest(utf8.encode("{x"), 2), "invalid JSON"],
    [
      "a short tail",
      () => {
        const b = body(one, new Uint8Array(4));
        return decodeBinaryRequest(b.bytes, b.headerLength);
      },
      "tensor 'a': binary_data_size is 8 bytes, but only 4 bytes of binary data remain",
    ],
    [
      "a long tail",
      () => {
        const b = body(one, new Uint8Array(9));
        return decodeBinaryRequest(b.bytes, b.headerLength);
      },
      "the body has 9 bytes of binary data after the JSON header, but binary_data_size values add up to 8",
    ],
    [
      "a wrong binary_data_size",
      () => {
        const h = { inputs: [{ ...one.inputs[0], parameters: { binary_data_size: 4 } }] };
        const b = body(h, new Uint8Array(4));
        return decodeBinaryRequest(b.bytes, b.headerLength);
      },
      "tensor 'a': expected 8 bytes for FP32 shape [2], got 4",
    ],
    [
      "data next to binary_data_size",
      () => {
        const h = { inputs: [{ ...one.inputs[0], data: [1, 2] }] };
        const b = body(h, new Uint8Array(8));
        return decodeBinaryRequest(b.bytes, b.headerLength);
      },
      "has both data and parameters.binary_data_size",
    ],
    [
      "a negative binary_data_size",
      () => {
        const h = { inputs: [{ ...one.inputs[0], parameters: { binary_data_size: -8 } }] };
        const b = body(h);
        return decodeBinaryRequest(b.bytes, b.headerLength);
      },
      "binary_data_size must be a non-negative integer, got -8",
    ],
  ])("should refuse %s", (_, decode, message) => {
    expect(decode).toThrow(message);
  });

  it("should throw only TensorwireError for arbitrary bodies and header lengths", () => {
    const arbHeader = fc.record({
      inputs: fc.array(
        fc.record({
          name: fc.string({ maxLength: 2 }),
          shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
          datatype: fc.constantFrom("BOOL", "UINT8", "FP32", "INT64", "BYTES", "FP16", "X"),
          parameters: fc.record({
            binary_data_size: fc.oneof(fc.integer({ min: -1, max: 12 }), fc.jsonValue()),
          }),
        }),
        { maxLength: 3 },
      ),
    });
    fc.assert(
      fc.property(
        fc.oneof(arbHeader, fc.jsonValue()),
        fc.uint8Array({ maxLength: 24 }),
        fc.oneof(fc.constant(undefined), fc.integer({ min: -2, max: 400 }), fc.string()),
        (header, tail, length) => {
          const b = body(header, tail);
          for (const decode of [decodeBinaryRequest, decodeBinaryResponse]) {
            for (const headerLength of [b.headerLength, length]) {
              try {
                decode(b.bytes, headerLength);
              } catch (err) {
                expect(err).toBeInstanceOf(TensorwireError);
              }
            }
          }
        },
      ),
    );
  });
});

describe("encodeBinaryRequest() / decodeBinaryRequest()", () => {
  it("should round-trip every datatype, binary or JSON per input", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          arbTensor({ bytes: arbUtf8Bytes, datatypes: ["BOOL", "INT8", "UINT64", "FP64", "BYTES"] }),
          { selector: (t) => t.name, maxLength: 2 },
        ),
        arbTensors,
        (jsonInputs, binaryInputs) => {
          const names = new Set(jsonInputs.map((t) => t.name));
          const inputs = [...jsonInputs, ...binaryInputs.filter((t) => !names.has(t.name))];
          const request: InferRequest = {
            id: "1",
            inputs,
            outputs: [{ name: "o", parameters: { binary_data: true } }],
          };
          const encoded = encodeBinaryRequest(request, {
            binaryInput: (t) => !names.has(t.name) || t.datatype === "BYTES",
          });
          const back = decodeBinaryRequest(joinBinaryBody(encoded), encoded.headerLength);
          expect(back.inputs.every((t, i) => tensorEquals(t, inputs[i] as Tensor))).toBe(true);
          expect(back.outputs).toEqual(request.outputs);
        },
      ),
    );
  });
});

describe("encodeBinaryResponse() / decodeBinaryResponse()", () => {
  const y = createTensor({
    name: "y",
    datatype: "FP32",
    shape: [3, 2],
    data: Float32Array.of(1, 2, 3, 4, 5, 6),
  });
  const z = createTensor({ name: "z", datatype: "BOOL", shape: [3], data: Uint8Array.of(1, 0, 1) });

  it("should follow binary_data per output over binary_data_output", () => {
    const encoded = encodeBinaryResponse(
      { modelName: "m", outputs: [y, z] },
      {
        parameters: { binary_data_output: true },
        outputs: [{ name: "z", parameters: { binary_data: false } }],
      },
    );
    const header = JSON.parse(Buffer.from(encoded.chunks[0] as Uint8Array).toString());
    expect(header.outputs).toEqual([
      { name: "y", shape: [3, 2], datatype: "FP32", parameters: { binary_data_size: 24 } },
      { name: "z", shape: [3], datatype: "BOOL", data: [true, false, true] },
    ]);
    expect(encoded.headerLength).toBe((encoded.chunks[0] as Uint8Array).length);
    expect(encoded.byteLength).toBe((encoded.headerLength as number) + 24);
  });

  it("should write plain JSON with no header length when no output is binary", () => {
    const encoded = encodeBinaryResponse({ modelName: "m", outputs: [y] });
    expect(encoded.headerLength).toBeUndefined();
    expect(encoded.chunks).toHaveLength(1);
  });

  it("should refuse a binary_data parameter that is not a boolean", () => {
    expect(() =>
      encodeBinaryResponse(
        { modelName: "m", outputs: [y] },
        { outputs: [{ name: "y", parameters: { binary_data: 1 } }] },
      ),
    ).toThrow("output 'y': parameter 'binary_data' must be a boolean, got 1");
  });

  it("should round-trip every datatype", () => {
    fc.assert(
      fc.property(arbTensors, (outputs) => {
        const encoded = encodeBinaryResponse(
          { modelName: "m", id: "i", outputs },
          { parameters: { binary_data_output: true } },
        );
        const back = decodeBinaryResponse(joinBinaryBody(encoded), encoded.headerLength);
        expect(back.modelName).toBe("m");
        expect(back.outputs.every((t, i) => tensorEquals(t, outputs[i] as Tensor))).toBe(true);
      }),
    );
  });

  it("should decode blobs as views into the body where aligned", () => {
    const encoded = encodeBinaryResponse(
      { modelName: "m", outputs: [y] },
      { parameters: { binary_data_output: true } },
    );
    const joined = joinBinaryBody(encoded);
    const back = decodeBinaryResponse(joined, encoded.headerLength);
    const data = back.outputs[0]?.data as Float32Array;
    expect(data.buffer === joined.buffer).toBe((encoded.headerLength as number) % 4 === 0);
  });
});
