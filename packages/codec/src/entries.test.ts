import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const repositoryRoot = fileURLToPath(new URL("../../..", import.meta.url));
const builtRoot = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/**
 * Imports an entry of the built package in a fresh Node process and lists every module that
 * resolved, through a resolve hook registered before the import: what a user's program loads.
 */
async function modulesLoadedBy(specifier: string): Promise<string[]> {
  const script = `
    import { registerHooks } from "node:module";
    const urls = [];
    registerHooks({ resolve(s, c, next) { const r = next(s, c); urls.push(r.url); return r; } });
    await import(${JSON.stringify(specifier)});
    process.stdout.write(JSON.stringify(urls));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    cwd: repositoryRoot,
  });
  return JSON.parse(stdout) as string[];
}

const loads = (urls: readonly string[], path: string) => urls.some((url) => url.includes(path));

describe("package entries", () => {
  it("should be built (the checks below import dist, as a user's program does)", () => {
    expect(existsSync(builtRoot), `${builtRoot} is missing: run npm run build`).toBe(true);
  });

  it("should load neither apache-arrow, onnxruntime-common nor a protobuf schema for the root", async () => {
    const urls = await modulesLoadedBy("@tensorwire/codec");
    expect(loads(urls, "/packages/codec/dist/index.js")).toBe(true);
    expect(urls.filter((url) => /\/node_modules\/(apache-arrow|onnxruntime-common)\//.test(url))).toEqual([]);
    expect(urls.filter((url) => url.includes("/packages/proto/"))).toEqual([]);
  });

  // The same hook sees the heavy dependencies where they belong, so the check above can fail.
  it.each([
    ["@tensorwire/codec/arrow", "/node_modules/apache-arrow/"],
    ["@tensorwire/codec/ort", "/node_modules/onnxruntime-common/"],
    ["@tensorwire/codec/grpc", "/packages/proto/"],
  ])("should load %s's dependency %s", async (entry, path) => {
    expect(loads(await modulesLoadedBy(entry), path)).toBe(true);
  });
});
