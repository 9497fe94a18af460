import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { zooModel, zooModelNames } from "./zoo.js";
import { buildZooModel } from "./zoo-build.js";

describe("the zoo's build product", () => {
  // `npm test` builds first; without a build there is nothing to check and the test says so.
  it.each(zooModelNames)("dist/zoo/%s.onnx should be what the code builds now", (name) => {
    const file = new URL(`../dist/zoo/${name}.onnx`, import.meta.url);
    expect(new Uint8Array(readFileSync(file))).toEqual(buildZooModel(name));
  });

  it("should build a zoo model when run from source, and refuse an unknown name", async () => {
    expect(await zooModel("tfsimple")).toEqual(buildZooModel("tfsimple"));
    await expect(zooModel("identity_int128" as never)).rejects.toThrow("no zoo model 'identity_int128'");
  });
});
