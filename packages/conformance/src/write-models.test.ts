import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { modelFiles, modelsDir } from "../scripts/write-models.js";

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(modelsDir, join(e.parentPath, e.name)))
    .sort();
}

describe("scripts/write-models.ts", () => {
  const expected = modelFiles();

  it("should match the committed file list", () => {
    expect(filesUnder(modelsDir)).toEqual([...expected.keys()].sort());
  });

  it.each([...expected.keys()])("should match the committed %s", (path) => {
    const want = expected.get(path) as Uint8Array | string;
    const got = readFileSync(join(modelsDir, path));
    expect(Buffer.compare(got, Buffer.from(want)), `${path} differs: run npm run write-models`).toBe(0);
  });
});
