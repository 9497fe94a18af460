import { describe, expect, it } from "vitest";
import { loadSession, oipData, ortTensor } from "./testing/ort-tensor.js";
import { simpleInt8Model, simpleStringModel } from "./triton-simple-models.js";

const range = Array.from({ length: 16 }, (_, i) => i);

describe("simpleStringModel()", () => {
  it("should add and subtract integers written as text", async () => {
    const session = await loadSession(simpleStringModel());
    const out = await session.run({
      INPUT0: ortTensor("BYTES", range.map(String), [1, 16]),
      INPUT1: ortTensor(
        "BYTES",
        range.map(() => "1"),
        [1, 16],
      ),
    });
    expect(oipData(out.OUTPUT0 as never)).toEqual(range.map((i) => String(i + 1)));
    expect(oipData(out.OUTPUT1 as never)).toEqual(range.map((i) => String(i - 1)));
  });

  it("should build the same bytes every time", () => {
    expect(simpleStringModel().onnx).toEqual(simpleStringModel().onnx);
  });
});

describe("simpleInt8Model()", () => {
  it("should add and subtract INT8 tensors, wrapping on overflow", async () => {
    const session = await loadSession(simpleInt8Model());
    const a = Int8Array.from(range, (i) => (i === 15 ? 127 : i));
    const out = await session.run({
      INPUT0: ortTensor("INT8", a, [1, 16]),
      INPUT1: ortTensor("INT8", new Int8Array(16).fill(1), [1, 16]),
    });
    expect(Array.from((out.OUTPUT0?.data as Int8Array | undefined) ?? [])).toEqual(
      [...a].map((x) => ((x + 1 + 128) % 256) - 128),
    );
    expect(Array.from((out.OUTPUT1?.data as Int8Array | undefined) ?? [])).toEqual([...a].map((x) => x - 1));
  });
});
