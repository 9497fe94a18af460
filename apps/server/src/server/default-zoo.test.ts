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
      expect(names).toEqual(
        defaultZoo()
          .map((model) => model.name)
          .sort(),
      );
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

  it("should serve the base models in every group and each group's own models beside them", () => {
    const names = (groups: Parameters<typeof defaultZoo>[0]) => defaultZoo(groups).map((m) => m.name);
    const base = ["iris", "tfsimple", "echo", "constant"];
    expect(names(["seldon"])).toEqual(base);
    expect(names(["triton"])).toEqual([
      ...base,
      "simple",
      "simple_string",
      "simple_int8",
      "simple_identity",
      "custom_identity_int32",
    ]);
    expect(names(["kserve", "hopsworks"])).toEqual([...base, "mnist", "example_model", "my_model"]);
    expect(names(["wallaroo"])).toEqual(["iris", "tfsimple", "fraud", "echo", "constant", "ccfraud"]);
    expect(names(["conformance"])).toEqual(
      expect.arrayContaining(["identity_bytes", "identity_fp16", "mixed_outputs"]),
    );
    expect(names(undefined)).toEqual(
      names(["seldon", "triton", "kserve", "wallaroo", "hopsworks", "conformance"]),
    );
  });
});
