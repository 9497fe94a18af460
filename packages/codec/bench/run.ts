import { Bench } from "tinybench";
import { cases as dialectCases } from "./dialects.bench.ts";
import { cases as oipCases } from "./oip.bench.ts";

/**
 * Runs every benchmark case with tinybench and prints one table (or JSON with --json): ops/s, mean
 * time, and the time ratio to the group's baseline next to its goal. Goals are printed, never
 * asserted: timings vary by machine, so a benchmark is not a test.
 *
 * Usage: node bench/run.ts [--json] [--filter <substring>] [--time <ms per case>]
 */

interface CaseResult {
  readonly group: string;
  readonly name: string;
  readonly opsPerSecond: number;
  readonly meanMs: number;
  readonly baseline: string | undefined;
  readonly ratio: number | undefined;
  readonly goal: string | undefined;
  readonly error: string | undefined;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  const filter = option("--filter");
  // 500 ms per case keeps the whole run near a minute while the 1 MiB cases still take 100+ samples.
  const time = Number(option("--time") ?? 500);
  const all = [...oipCases, ...dialectCases];
  const names = new Set<string>();
  for (const c of all) {
    if (names.has(c.name)) {
      throw new Error(`duplicate benchmark case name '${c.name}': baselines are looked up by name`);
    }
    names.add(c.name);
  }
  const selected =
    filter === undefined ? all : all.filter((c) => c.name.includes(filter) || c.group.includes(filter));

  const measured = new Map<string, { opsPerSecond: number; meanMs: number; error: string | undefined }>();
  for (const [i, c] of selected.entries()) {
    process.stderr.write(`[${i + 1}/${selected.length}] ${c.name}\n`);
    const bench = new Bench({ time, warmupTime: Math.min(100, time) });
    bench.add(c.name, c.fn);
    await bench.run();
    const result = bench.tasks[0]?.result;
    if (result?.state === "completed") {
      measured.set(c.name, { opsPerSecond: 1000 / result.period, meanMs: result.period, error: undefined });
    } else {
      const error = result?.state === "errored" ? String(result.error) : `state ${result?.state}`;
      measured.set(c.name, { opsPerSecond: Number.NaN, meanMs: Number.NaN, error });
    }
  }

  const results: CaseResult[] = selected
    .map((c) => {
      const m = measured.get(c.name);
      const base = c.baseline === undefined ? undefined : measured.get(c.baseline);
      return {
        group: c.group,
        name: c.name,
        opsPerSecond: m?.opsPerSecond ?? Number.NaN,
        meanMs: m?.meanMs ?? Number.NaN,
        baseline: c.baseline,
        ratio: base === undefined || m === undefined ? undefined : m.meanMs / base.meanMs,
        goal: c.goal,
        error: m?.error,
      };
    })
    .sort(
      (a, b) =>
        a.group.localeCompare(b.group) || (a.baseline === undefined ? -1 : b.baseline === undefined ? 1 : 0),
    );

  if (json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  const rows = results.map((r) => [
    r.group,
    r.name,
    Number.isNaN(r.opsPerSecond) ? "-" : Math.round(r.opsPerSecond).toLocaleString("en-US"),
    Number.isNaN(r.meanMs) ? (r.error ?? "-") : formatTime(r.meanMs),
    r.ratio === undefined ? "" : `${r.ratio.toFixed(r.ratio < 0.1 ? 4 : 2)}x`,
    r.goal ?? "",
  ]);
  const header = ["group", "case", "ops/s", "mean", "vs baseline", "goal"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => cell.padEnd(widths[i] as number)).join("  ");
  process.stdout.write(
    `${[line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")}\n`,
  );
}

function formatTime(ms: number): string {
  if (ms >= 1) {
    return `${ms.toFixed(2)} ms`;
  }
  return ms >= 0.001 ? `${(ms * 1000).toFixed(2)} µs` : `${(ms * 1e6).toFixed(0)} ns`;
}

await main();
