import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { InferResponse } from "../infer.js";
import { parseJsonText, stringifyJsonText } from "../json-text.js";
import { tensorEquals } from "../tensor.js";
import { arbTensor, arbUtf8Bytes, canonicalNaN } from "../testing/arbitraries.js";
import { decodeBinaryResponse, encodeBinaryResponse, joinBinaryBody } from "./binary-extension.js";
import {
  decodeRestInferRequest,
  decodeRestInferResponse,
  encodeRestInferRequest,
  encodeRestInferResponse,
} from "./rest-json.js";

const arbParameters = fc.dictionary(
  fc.string({ maxLength: 6 }),
  fc.oneof(fc.string({ maxLength: 6 }), fc.boolean(), fc.integer()),
  { maxKeys: 3 },
);

const arbResponse: fc.Arbitrary<InferResponse> = fc.record(
  {
    modelName: fc.string({ maxLength: 8 }),
    modelVersion: fc.string({ maxLength: 4 }),
    id: fc.string({ maxLength: 8 }),
    parameters: arbParameters,
    outputs: fc.uniqueArray(
      fc
        .tuple(arbTensor({ bytes: arbUtf8Bytes, maxRank: 2 }), fc.option(arbParameters, { nil: undefined }))
        .map(([t, parameters]) => (parameters === undefined ? t : { ...t, parameters })),
      { selector: (t) => t.name, maxLength: 3 },
    ),
  },
  { requiredKeys: ["modelName", "outputs"] },
);

type Json = Record<string, unknown>;

/** What a pydantic-based server adds: null for each optional field left out, null parameters, extras. */
function sprinkle(json: Json, fields: readonly string[], nulls: readonly boolean[]): Json {
  const out: Json = { ...json, extra_field: { nested: [1, null] } };
  fields.forEach((field, i) => {
    if (!(field in out) && nulls[i % nulls.length] === true) {
      out[field] = null;
    }
  });
  if (typeof out.parameters === "object" && out.parameters !== null) {
    out.parameters = { ...out.parameters, null_parameter: null };
  }
  return out;
}

function sprinkleResponse(json: Json, nulls: readonly boolean[]): Json {
  const out = sprinkle(json, ["model_version", "id", "parameters"], nulls);
  out.outputs = (json.outputs as Json[]).map((t, i) =>
    sprinkle(t, ["parameters", ...("data" in t ? [] : ["data"])], nulls.slice(i + 1)),
  );
  return out;
}

function expectSameResponse(actual: InferResponse, expected: InferResponse): void {
  const { outputs: a, ...restA } = actual;
  const { outputs: b, ...restB } = expected;
  expect(restA).toEqual(restB);
  expect(a.map((t) => t.parameters)).toEqual(b.map((t) => t.parameters));
  expect(a.every((t, i) => tensorEquals(canonicalNaN(t), canonicalNaN(b[i] as never)))).toBe(true);
}

describe("responseWithoutNulls(), through decodeRestInferResponse() and decodeBinaryResponse()", () => {
  it("should decode a response with nulls on optional fields and extra fields as the one without", () => {
    fc.assert(
      fc.property(arbResponse, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (response, nulls) => {
        const json = parseJsonText(stringifyJsonText(encodeRestInferResponse(response) as never)) as Json;
        const plain = decodeRestInferResponse(json);
        expectSameResponse(decodeRestInferResponse(sprinkleResponse(json, nulls)), plain);
        expectSameResponse(plain, response);
      }),
    );
  });

  it("should do the same for binary outputs, whose data is then null or absent", () => {
    fc.assert(
      fc.property(arbResponse, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (response, nulls) => {
        const body = encodeBinaryResponse(response, { parameters: { binary_data_output: true } });
        const bytes = joinBinaryBody(body);
        const headerLength = body.headerLength ?? bytes.length;
        const header = parseJsonText(new TextDecoder().decode(bytes.subarray(0, headerLength))) as Json;
        const header2 = new TextEncoder().encode(stringifyJsonText(sprinkleResponse(header, nulls) as never));
        const sprinkled = new Uint8Array(header2.length + bytes.length - headerLength);
        sprinkled.set(header2);
        sprinkled.set(bytes.subarray(headerLength), header2.length);
        expectSameResponse(
          decodeBinaryResponse(sprinkled, header2.length),
          decodeBinaryResponse(bytes, headerLength),
        );
      }),
    );
  });

  it("should read KServe ModelServer's answer, whose model_version and parameters are null", () => {
    const response = decodeRestInferResponse({
      id: "f0b9",
      model_name: "iris",
      model_version: null,
      outputs: [{ name: "predict", shape: [1], datatype: "INT64", data: [1], parameters: null }],
      parameters: null,
    });
    expect(response).toEqual({
      modelName: "iris",
      id: "f0b9",
      outputs: [{ name: "predict", shape: [1], datatype: "INT64", data: BigInt64Array.of(1n) }],
    });
  });

  it("should still refuse a null where a value is required", () => {
    expect(() => decodeRestInferResponse({ model_name: null, outputs: [] })).toThrow(
      "model_name: expected a string, got null",
    );
    expect(() => decodeRestInferResponse({ model_name: "m", outputs: null })).toThrow(
      "outputs: expected an array, got null",
    );
  });

  it("should leave requests strict: a null id is still an error there", () => {
    const request = { ...encodeRestInferRequest({ inputs: [] }), id: null };
    expect(() => decodeRestInferRequest(request)).toThrow("id: expected a string, got null");
  });
});
