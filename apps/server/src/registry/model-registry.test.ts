import { createTensor } from "@tensorwire/codec";
import { describe, expect, it } from "vitest";
import { createServerCore } from "../server/create-server-core.js";
import { applyVersionPolicy } from "./model-registry.js";

describe("createModelRegistry()", () => {
  it("should let in-flight requests finish before unloading a model", async () => {
    const core = await createServerCore({
      controlMode: "explicit",
      loadModels: ["*"],
      models: [
        {
          name: "slow",
          config: {
            runtime: "echo",
            inputs: [{ name: "X", datatype: "FP32", shape: [-1] }],
            latency: { distribution: "fixed", ms: 80 },
          },
        },
      ],
    });
    const x = createTensor({ name: "X", datatype: "FP32", shape: [1], data: Float32Array.of(1) });
    const running = core.dataPlane.infer(
      { name: "slow" },
      { inputs: [x] },
      { requestId: "r", protocol: "rest" },
    );
    const unloading = core.dataPlane.repositoryUnload("slow");
    // The unload starts on a later tick; 10 ms is well inside the 80 ms the request takes.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(core.dataPlane.repositoryIndex({ readyOnly: false })).toEqual([
      { name: "slow", version: "1", state: "UNLOADING", reason: "" },
    ]);
    await expect(running).resolves.toMatchObject({ modelName: "slow" });
    await unloading;
    expect(core.dataPlane.repositoryIndex({ readyOnly: false })[0]?.state).toBe("UNAVAILABLE");
    expect(core.dataPlane.serverReady()).toBe(true);
    await core.close();
    expect(core.dataPlane.serverReady()).toBe(false);
  });
});

describe("applyVersionPolicy()", () => {
  const available = ["10", "2", "1"];
  it.each([
    [{ kind: "latest", count: 1 } as const, ["10"]],
    [{ kind: "latest", count: 2 } as const, ["2", "10"]],
    [{ kind: "all" } as const, ["1", "2", "10"]],
    [{ kind: "specific", versions: ["1", "3"] } as const, ["1"]],
  ])("should select %j", (policy, expected) => {
    expect(applyVersionPolicy(policy, available)).toEqual(expected);
  });
});
