import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The README's TypeScript examples are run as written (one per dialect, and the browser ones), so
 * they cannot drift from the package.
 */
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
const dir = new URL("../.tmp/readme/", import.meta.url);

describe("packages/client/README.md", () => {
  it("should have an example for every constructor", () => {
    for (const create of [
      "createOipClient",
      "createSeldonV1Client",
      "createKServeV1Client",
      "createTfServingClient",
      "createTabularClient",
    ]) {
      expect(blocks.some((code) => code.includes(`${create}(`))).toBe(true);
    }
  });

  it.each(blocks.map((code, i) => [i, code] as const))("should run example %i", async (i, code) => {
    mkdirSync(dir, { recursive: true });
    const file = new URL(`example-${i}.ts`, dir);
    writeFileSync(file, code);
    await import(file.href);
  });
});
