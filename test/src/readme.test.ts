import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The README's TypeScript examples are run as written, so they cannot drift from the packages. The
 * vitest example (it imports vitest) is a test file of its own kind and is only type-shaped here.
 */
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
const runnable = blocks.filter((code) => !code.includes('from "vitest"'));
const dir = new URL("./.tmp/readme/", import.meta.url);

describe("README.md", () => {
  it("should have TypeScript examples to run", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(runnable.length).toBeGreaterThanOrEqual(1);
  });

  it.each(runnable.map((code, i) => [i, code] as const))("should run example %i", async (i, code) => {
    mkdirSync(dir, { recursive: true });
    const file = new URL(`example-${i}.ts`, dir);
    writeFileSync(file, code);
    await import(file.href);
  });
});
