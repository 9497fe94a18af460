import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadPipelines } from "./load-pipelines.js";

const pipelineYaml = `apiVersion: mlops.seldon.io/v1alpha1
kind: Pipeline
metadata: {name: chain}
spec:
  steps: [{name: tfsimple1}]
  output: {steps: [tfsimple1]}
`;

describe("loadPipelines()", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tensorwire-pipelines-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("should read the pipelines of a folder's files", async () => {
    await writeFile(join(dir, "chain.yaml"), pipelineYaml);
    expect((await loadPipelines([dir])).map((p) => p.name)).toEqual(["chain"]);
  });

  it("should refuse a file larger than the limit before reading it, naming the file and the limit", async () => {
    const file = join(dir, "big.yaml");
    await writeFile(file, `${pipelineYaml}${"# padding\n".repeat(1000)}`);
    await expect(loadPipelines([dir], 4096)).rejects.toMatchObject({
      code: "invalid_argument",
      message: `${file}: the file is ${10_000 + pipelineYaml.length} bytes, larger than the limit of 4096 bytes (--max-config-size)`,
    });
  });

  it("should refuse a billion-laughs document", async () => {
    let yaml = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 10; i++) {
      const [prev, cur] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      yaml += `${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(",")}]\n`;
    }
    await writeFile(join(dir, "laughs.yaml"), yaml);
    await expect(loadPipelines([dir])).rejects.toThrow(/laughs\.yaml: Excessive alias count/);
  });
});
