import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * How long `await import()` of each codec entry takes in a fresh Node process, against the built
 * dist: the median of `--runs` process starts (default 10), and the heavy dependencies the entry
 * loaded, recorded by a resolve hook in a separate start so the hook does not count in the time.
 *
 * Usage: node bench/import-time.ts [--runs <n>] [--cwd <repository root>]
 */

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const here = dirname(fileURLToPath(import.meta.url));
const runs = Number(option("--runs") ?? 10);
// Resolution starts from the working directory, so another checkout's dist can be measured too.
const cwd = option("--cwd") ?? join(here, "../../..");
const manifest = JSON.parse(readFileSync(join(cwd, "packages/codec/package.json"), "utf8")) as {
  exports: Record<string, unknown>;
};
const entries = Object.keys(manifest.exports).map((key) => `@tensorwire/codec${key.slice(1)}`);
const heavy = ["apache-arrow", "onnxruntime-common", "@bufbuild/protobuf", "@tensorwire/proto"];

function timeOnce(specifier: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  return Number(
    execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8" }),
  );
}

function loadedPackages(specifier: string): string[] {
  const script = `
    import { registerHooks } from "node:module";
    const urls = [];
    registerHooks({ resolve(s, c, next) { const r = next(s, c); urls.push(r.url); return r; } });
    await import(${JSON.stringify(specifier)});
    process.stdout.write(JSON.stringify(urls));`;
  const urls = JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8" }),
  ) as string[];
  // Workspace packages resolve to their real path, not through node_modules.
  const paths = (name: string) => [
    `/node_modules/${name}/`,
    `${name.replace("@tensorwire/", "/packages/")}/`,
  ];
  return heavy.filter((name) => urls.some((url) => paths(name).some((p) => url.includes(p))));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

for (const entry of entries) {
  const times = Array.from({ length: runs }, () => timeOnce(entry));
  const loaded = loadedPackages(entry);
  process.stdout.write(
    `${entry.padEnd(30)} median ${median(times).toFixed(1).padStart(6)} ms  (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)})  loads: ${loaded.join(", ") || `none of ${heavy.join(", ")}`}\n`,
  );
}
