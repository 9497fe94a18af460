import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { SeldonMessageSchema } from "@tensorwire/proto/seldon";
import { DataType, TensorProtoSchema } from "@tensorwire/proto/tensorflow";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { datatypes } from "../datatype.js";
import { TensorwireError } from "../error.js";
import { parseJsonText, stringifyJsonText } from "../json-text.js";
import { createTensor, type Tensor, tensorEquals } from "../tensor.js";
import { canonicalNaN, within53Bits } from "../testing/arb-table.js";
import { arbTensor, arbUtf8Bytes } from "../testing/arbitraries.js";
import {
  decodeSeldonJson,
  decodeSeldonMessage,
  encodeSeldonJson,
  encodeSeldonMessage,
  type SeldonPayload,
  tensorFromTensorProto,
  tensorToTensorProto,
} from "./seldon-v1.js";

/**
 * What Seldon v1 cannot express, and so what the round-trip properties leave out:
 *
 * | encoding  | combination                       | reason                                              |
 * |-----------|-----------------------------------|-----------------------------------------------------|
 * | ndarray   | rank-0 tensors                    | a ListValue is a list                               |
 * | ndarray   | BYTES that are not UTF-8          | values are strings                                  |
 * | ndarray   | INT64/UINT64 beyond 2^53          | ListValue numbers are doubles (kept within 53 bits) |
 * | ndarray   | ±Infinity, NaN payloads           | written as null, read back as NaN                   |
 * | ndarray   | datatypes without a spec          | JSON has no datatype: numbers infer as FP64         |
 * | tensor    | BOOL, BYTES                       | values are doubles                                  |
 * | tensor    | INT64/UINT64 beyond 2^53          | values are doubles (kept within 53 bits)            |
 * | tftensor  | FP16 NaN payloads via half_val... | none: tftensor is exact for every datatype          |
 */

const jsonWire = (body: unknown): unknown => parseJsonText(stringifyJsonText(body as never));
const protoWire = (payload: SeldonPayload): SeldonPayload =>
  decodeSeldonMessage(
    fromBinary(SeldonMessageSchema, toBinary(SeldonMessageSchema, encodeSeldonMessage(payload))),
  );

const spec = (t: Tensor) => ({ name: t.name, datatype: t.datatype, shape: t.shape });

function roundTrips(t: Tensor, encoding: "ndarray" | "tensor" | "tftensor", lossy: boolean): void {
  const payload: SeldonPayload = { kind: "data", encoding, tensor: t, names: [] };
  const options = { spec: spec(t) };
  const viaJson = decodeSeldonJson(jsonWire(encodeSeldonJson(payload)), options);
  const viaProto = decodeSeldonMessage(
    fromBinary(SeldonMessageSchema, toBinary(SeldonMessageSchema, encodeSeldonMessage(payload))),
    options,
  );
  for (const back of [viaJson, viaProto]) {
    expect(back.kind).toBe("data");
    if (back.kind === "data") {
      expect(back.encoding).toBe(encoding);
      expect(tensorEquals(canonicalNaN(back.tensor, lossy), canonicalNaN(t, lossy))).toBe(true);
    }
  }
}

const numeric = datatypes.filter((d) => d !== "BOOL" && d !== "BYTES");

describe("Seldon v1 DefaultData", () => {
  it("should round-trip every datatype through tftensor exactly, raw and typed, JSON and binary", () => {
    fc.assert(
      fc.property(
        arbTensor({ name: fc.constant("input-0") }),
        fc.constantFrom("raw" as const, "typed" as const),
        (t, content) => {
          roundTrips(t, "tftensor", false);
          const proto = tensorToTensorProto(t, { tftensorContent: content });
          expect(
            tensorEquals(
              tensorFromTensorProto(
                fromBinary(TensorProtoSchema, toBinary(TensorProtoSchema, proto)),
                t.name,
              ),
              t,
            ),
          ).toBe(true);
        },
      ),
    );
  });

  it("should round-trip ndarray for every datatype a spec names", () => {
    fc.assert(
      fc.property(
        arbTensor({ name: fc.constant("input-0"), bytes: arbUtf8Bytes })
          .filter((t) => t.shape.length > 0)
          .map(within53Bits),
        (t) => roundTrips(t, "ndarray", true),
      ),
    );
  });

  it("should round-trip the tensor encoding for numeric datatypes", () => {
    fc.assert(
      fc.property(arbTensor({ name: fc.constant("input-0"), datatypes: numeric }).map(within53Bits), (t) =>
        roundTrips(t, "tensor", false),
      ),
    );
  });

  it("should infer datatypes from ndarray values and keep names", () => {
    const back = decodeSeldonJson({
      data: {
        names: ["a", "b"],
        ndarray: [
          [1, 2],
          [3, 4],
        ],
      },
    });
    expect(back).toEqual({
      kind: "data",
      encoding: "ndarray",
      names: ["a", "b"],
      tensor: createTensor({
        name: "input-0",
        datatype: "FP64",
        shape: [2, 2],
        data: new Float64Array([1, 2, 3, 4]),
      }),
    });
    const strings = decodeSeldonJson({ data: { ndarray: [["x"], ["y"]] } });
    expect(strings.kind === "data" && strings.tensor.datatype).toBe("BYTES");
  });

  it("should decode the tensor form of the protocol's example", () => {
    const back = decodeSeldonJson({
      data: { names: ["a", "b"], tensor: { shape: [2, 2], values: [0, 0, 1, 1] } },
    });
    expect(back.kind === "data" && back.tensor).toEqual(
      createTensor({
        name: "input-0",
        datatype: "FP64",
        shape: [2, 2],
        data: new Float64Array([0, 0, 1, 1]),
      }),
    );
  });

  it("should read a TensorProto's single value as filling the shape", () => {
    const proto = create(TensorProtoSchema, {
      dtype: DataType.DT_INT32,
      tensorShape: { dim: [{ size: 3n }] },
      intVal: [7],
    });
    expect(Array.from(tensorFromTensorProto(proto, "x").data as Int32Array)).toEqual([7, 7, 7]);
  });

  it.each<[unknown, RegExp]>([
    [{ data: { ndarray: [[1], [2, 3]] } }, /ragged/],
    [{ data: { ndarray: [1, "a"] } }, /mixes numbers and strings/],
    [{ data: { names: ["a"], ndarray: [[1, 2]] } }, /expected 2 names/],
    [{ data: { tensor: { shape: [3], values: [1] } } }, /expected 3 values/],
    [{ data: { tftensor: { dtype: "DT_COMPLEX64" } } }, /has no OIP datatype/],
    [
      { data: { tftensor: { dtype: "DT_FLOAT", tensorShape: { dim: [{ size: 2 }] }, floatVal: [1, 2, 3] } } },
      /expected 2 values/,
    ],
    [{ data: {} }, /exactly one of ndarray, tensor, tftensor/],
    [{ strData: "a", binData: "" }, /got strData and binData/],
    [{ binData: "!!" }, /expected base64/],
  ])("should reject %j", (body, message) => {
    expect(() => decodeSeldonJson(body)).toThrow(message);
  });

  it("should refuse customData as unimplemented", () => {
    expect(() => decodeSeldonJson({ customData: {} })).toThrow(
      expect.objectContaining({ code: "unimplemented" }),
    );
  });

  it("should throw only TensorwireError for arbitrary JSON", () => {
    const keys = fc.constantFrom("data", "strData", "binData", "jsonData", "ndarray", "tensor", "tftensor");
    fc.assert(
      fc.property(fc.jsonValue(), keys, fc.boolean(), (value, key, nest) => {
        const inner = { [key]: value };
        const body = nest ? { data: inner } : inner;
        try {
          decodeSeldonJson(body);
        } catch (err) {
          expect(err).toBeInstanceOf(TensorwireError);
        }
      }),
    );
  });

  it("should throw only TensorwireError for arbitrary TensorProto bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        let proto: ReturnType<typeof fromBinary<typeof TensorProtoSchema>>;
        try {
          proto = fromBinary(TensorProtoSchema, bytes);
        } catch {
          return;
        }
        try {
          tensorFromTensorProto(proto, "x");
        } catch (err) {
          expect(err).toBeInstanceOf(TensorwireError);
        }
      }),
    );
  });
});

describe("Seldon v1 pass-through data", () => {
  it.each<SeldonPayload>([
    { kind: "strData", value: "text" },
    { kind: "binData", value: new Uint8Array([0, 255, 7]) },
    { kind: "jsonData", value: { any: "json", n: [1, 2] } },
  ])("should carry $kind unchanged through JSON and protobuf", (payload) => {
    expect(decodeSeldonJson(jsonWire(encodeSeldonJson(payload)))).toEqual(payload);
    expect(protoWire(payload)).toEqual(payload);
  });

  it("should decode the protocol's example bodies", () => {
    expect(decodeSeldonJson({ strData: "text" })).toEqual({ kind: "strData", value: "text" });
    expect(decodeSeldonJson({ jsonData: { any: "json" } })).toEqual({
      kind: "jsonData",
      value: { any: "json" },
    });
  });
});
