import type { Datatype } from "@tensorwire/codec";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { identityModel } from "./identity-model.js";
import type { OipDataMap } from "./oip-datatype.js";
import { loadSession, oipData, ortTensor } from "./testing/ort-tensor.js";

// Six values per datatype, fed as [2,3], including each type's extremes.
const samples: { [D in Datatype]: OipDataMap[D] } = {
  BOOL: Uint8Array.of(1, 0, 0, 1, 1, 0),
  UINT8: Uint8Array.of(0, 1, 127, 128, 254, 255),
  UINT16: Uint16Array.of(0, 1, 0x7fff, 0x8000, 0xfffe, 0xffff),
  UINT32: Uint32Array.of(0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff),
  UINT64: BigUint64Array.of(0n, 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 2n, 2n ** 64n - 1n),
  INT8: Int8Array.of(-128, -1, 0, 1, 126, 127),
  INT16: Int16Array.of(-32768, -1, 0, 1, 32766, 32767),
  INT32: Int32Array.of(-(2 ** 31), -1, 0, 1, 2 ** 31 - 2, 2 ** 31 - 1),
  INT64: BigInt64Array.of(-(2n ** 63n), -(2n ** 53n) - 1n, -1n, 0n, 2n ** 53n + 1n, 2n ** 63n - 1n),
  // 1, -2, the largest finite half, the smallest subnormal, +infinity and -0, as binary16 bits.
  FP16: Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x8000),
  FP32: Float32Array.of(1.5, -0, Number.POSITIVE_INFINITY, 3.4028234663852886e38, 1e-45, -2.5),
  FP64: Float64Array.of(Math.PI, -0, Number.NEGATIVE_INFINITY, Number.MAX_VALUE, Number.MIN_VALUE, -1),
  BYTES: ["", "a", "héllo", "line\nbreak", "tab\tend", "🙂"],
};

describe("identityModel()", () => {
  it.each(Object.keys(samples) as Datatype[])(
    "should return a %s tensor unchanged through ONNX Runtime",
    async (datatype) => {
      const model = identityModel(datatype);
      expect(model.inputs).toEqual([{ name: "INPUT0", datatype, shape: [-1, -1] }]);
      expect(model.outputs).toEqual([{ name: "OUTPUT0", datatype, shape: [-1, -1] }]);
      const session = await loadSession(model);
      const { OUTPUT0 } = await session.run({ INPUT0: ortTensor(datatype, samples[datatype], [2, 3]) });
      expect(OUTPUT0?.dims).toEqual([2, 3]);
      expect(OUTPUT0 && oipData(OUTPUT0)).toEqual(samples[datatype]);
    },
  );

  // Documents why ortTensor() shadows `data` for float16: once onnxruntime-node accepts the tensor as
  // it is, this fails and the workaround can go.
  it("should need the float16 workaround in onnxruntime-node 1.30 on Node 24", async () => {
    const session = await ort.InferenceSession.create(identityModel("FP16").onnx);
    const plain = new ort.Tensor("float16", samples.FP16, [2, 3]);
    await expect(session.run({ INPUT0: plain })).rejects.toThrow(/float16/);
  });

  // onnxruntime-node copies string tensors as C strings, so BYTES elements holding a NUL byte do not
  // survive it; a server has to reject (or otherwise route) such inputs rather than truncate them.
  it("should cut a BYTES element at its first NUL byte in onnxruntime-node 1.30", async () => {
    const session = await loadSession(identityModel("BYTES"));
    const { OUTPUT0 } = await session.run({ INPUT0: ortTensor("BYTES", ["a\u0000b", "\u0000c"], [1, 2]) });
    expect(OUTPUT0?.data).toEqual(["a", ""]);
  });
});
