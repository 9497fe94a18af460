import { create } from "@bufbuild/protobuf";
import { InferTensorContentsSchema } from "@tensorwire/proto/oip";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Datatype, datatypeTable } from "../datatype.js";
import { type Tensor, tensorEquals } from "../tensor.js";
import { arbTensor } from "../testing/arbitraries.js";
import { sameTensors, tensor, typedDatatypes } from "../testing/grpc-messages.js";
import { tensorFromContents, tensorToContents } from "./contents.js";

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
