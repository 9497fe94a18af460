import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { tfsimpleModel } from "@tensorwire/models";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);

describe("onnxruntime-node", () => {
  it("should ship its CPU binaries, so the skipped install script is not needed", () => {
    const root = dirname(require.resolve("onnxruntime-node/package.json"));
    const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
    expect(version).toBe("1.30.0");
    const binding = join(root, "bin", "napi-v6", process.platform, process.arch, "onnxruntime_binding.node");
    expect(() => readFileSync(binding)).not.toThrow();
  });

  it("should run Triton's simple add/sub model built by @tensorwire/models", async () => {
    const session = await ort.InferenceSession.create(tfsimpleModel().onnx);
    expect(session.inputNames).toEqual(["INPUT0", "INPUT1"]);
    expect(session.outputNames).toEqual(["OUTPUT0", "OUTPUT1"]);
    const input0 = Int32Array.from({ length: 16 }, (_, i) => i);
    const input1 = new Int32Array(16).fill(1);
    const out = await session.run({
      INPUT0: new ort.Tensor("int32", input0, [1, 16]),
      INPUT1: new ort.Tensor("int32", input1, [1, 16]),
    });
    expect(out.OUTPUT0?.dims).toEqual([1, 16]);
    expect(Array.from(out.OUTPUT0?.data as Int32Array)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(Array.from(out.OUTPUT1?.data as Int32Array)).toEqual(Array.from({ length: 16 }, (_, i) => i - 1));
  });
});
