import { create } from "@bufbuild/protobuf";
import { ModelInferRequest_InferInputTensorSchema } from "@tensorwire/proto/oip";
import { describe, expect, it } from "vitest";
import { parametersFromGrpc, parametersToGrpc } from "./parameters.js";

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
