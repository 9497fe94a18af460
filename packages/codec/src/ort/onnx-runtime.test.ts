import { create, toBinary } from "@bufbuild/protobuf";
import { ModelProtoSchema } from "@tensorwire/proto/onnx";
import fc from "fast-check";
import { Tensor as OrtTensor } from "onnxruntime-common";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { type Datatype, datatypes } from "../datatype.js";
import { TensorwireError } from "../error.js";
import { createTensor, type Tensor, tensorEquals } from "../tensor.js";
import { arbTensor, arbUtf8Bytes } from "../testing/arbitraries.js";
import { tensorFromOrt, tensorToOrt } from "./onnx-runtime.js";

// TensorProto.DataType numbers, from onnx.proto.
const onnxElemType: Record<Datatype, number> = {
  FP32: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  BYTES: 8,
  BOOL: 9,
  FP16: 10,
  FP64: 11,
  UINT32: 12,
  UINT64: 13,
};

/** A model with one Identity node per datatype: input `in_<DT>` to output `out_<DT>`, any shape. */
function identityModel(): Uint8Array {
  const value = (name: string, datatype: Datatype) => ({
    name,
    type: { value: { case: "tensorType" as const, value: { elemType: onnxElemType[datatype] } } },
  });
  return toBinary(
    ModelProtoSchema,
    create(ModelProtoSchema, {
      irVersion: 8n,
      opsetImport: [{ domain: "", version: 17n }],
      graph: {
        name: "identity",
        node: datatypes.map((d) => ({ opType: "Identity", input: [`in_${d}`], output: [`out_${d}`] })),
        input: datatypes.map((d) => value(`in_${d}`, d)),
        output: datatypes.map((d) => value(`out_${d}`, d)),
      },
    }),
  );
}

const arbOrtTensor = arbTensor({ bytes: arbUtf8Bytes });

describe("tensorToOrt() / tensorFromOrt()", () => {
  it.each<[Datatype, Tensor["data"], string]>([
    ["BOOL", Uint8Array.of(1, 0), "bool"],
    ["INT64", BigInt64Array.of(-(2n ** 63n)), "int64"],
    ["UINT64", BigUint64Array.of(2n ** 64n - 1n), "uint64"],
    ["FP16", Uint16Array.of(0x3c00), "float16"],
    ["FP32", Float32Array.of(1.5), "float32"],
    ["BYTES", [new TextEncoder().encode("héllo")], "string"],
  ])("should map %s to ORT '%s'", (datatype, data, type) => {
    const t = createTensor({ name: "x", datatype, shape: [data.length], data });
    const o = tensorToOrt(t);
    expect(o.type).toBe(type);
    expect(o.dims).toEqual([data.length]);
    expect(tensorEquals(tensorFromOrt("x", o), t)).toBe(true);
  });

  it("should round-trip every datatype (BYTES as UTF-8) without copying numeric data", () => {
    fc.assert(
      fc.property(arbOrtTensor, (t) => {
        const o = tensorToOrt(t);
        const back = tensorFromOrt(t.name, o);
        expect(tensorEquals(back, t)).toBe(true);
        if (t.datatype !== "BYTES") {
          expect((back.data as ArrayBufferView).buffer).toBe((t.data as ArrayBufferView).buffer);
        }
      }),
    );
  });

  it("should refuse BYTES that are not UTF-8", () => {
    const t = createTensor({ name: "s", datatype: "BYTES", shape: [1], data: [Uint8Array.of(0xc3)] });
    expect(() => tensorToOrt(t)).toThrow("tensor 's': BYTES element 0 is not valid UTF-8");
  });

  it("should refuse ORT types without an OIP datatype and ill-formed strings", () => {
    expect(() => tensorFromOrt("q", new OrtTensor("int4", Uint8Array.of(0), [1]))).toThrow(
      "tensor 'q': ONNX Runtime type 'int4' has no OIP datatype",
    );
    expect(() => tensorFromOrt("s", new OrtTensor("string", ["\ud800"], [1]))).toThrow(TensorwireError);
  });
});

describe("onnxruntime-node session", () => {
  it("should run every datatype through an Identity model and back", async () => {
    const session = await ort.InferenceSession.create(identityModel());
    try {
      const inputs = datatypes.map(
        (d) =>
          fc.sample(
            arbTensor({ datatypes: [d], bytes: arbUtf8Bytes, name: fc.constant(`in_${d}`), maxRank: 2 }),
            {
              numRuns: 1,
              seed: 42,
            },
          )[0] as Tensor,
      );
      const feeds = Object.fromEntries(inputs.map((t) => [t.name, tensorToOrt(t)]));
      const results = await session.run(feeds);
      for (const t of inputs) {
        const name = t.name.replace("in_", "out_");
        const out = tensorFromOrt(name, results[name] as OrtTensor);
        expect(tensorEquals(out, { ...t, name } as Tensor)).toBe(true);
      }
    } finally {
      await session.release();
    }
  });
});
