import { createTensor } from "@tensorwire/codec";
import { describe, expect, it } from "vitest";
import type { InferContext } from "../core/data-plane.js";
import { createServerCore } from "./create-server-core.js";
import { defaultZoo } from "./default-zoo.js";

const context: InferContext = { requestId: "test", protocol: "rest" };

describe("defaultZoo()", () => {
  it("should serve every zoo model, ready", async () => {
    const core = await createServerCore();
    try {
      const names = core.dataPlane.repositoryIndex({ readyOnly: true }).map((entry) => entry.name);
      expect(names).toEqual((await defaultZoo()).map((model) => model.name).sort());
      expect(names).toContain("identity_bytes");
      expect(core.dataPlane.serverReady()).toBe(true);
      const constant = await core.dataPlane.infer(
        { name: "constant" },
        {
          inputs: [
            createTensor({ name: "INPUT0", datatype: "FP32", shape: [1, 1], data: Float32Array.of(1) }),
          ],
        },
        context,
      );
      expect(constant.outputs[0]).toMatchObject({ name: "OUTPUT0", shape: [1, 3] });
      expect(core.dataPlane.describe({ name: "echo" })).toMatchObject({ explainer: { kind: "predictions" } });
    } finally {
      await core.close();
    }
  });
});
