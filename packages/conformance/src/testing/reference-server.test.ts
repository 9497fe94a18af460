import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatTable } from "../format-report.js";
import { type Report, runConformance } from "../run-conformance.js";
import { type Fault, faults, startReferenceServer } from "./reference-server.js";

/**
 * Mutation testing of the suite: it runs once against the reference server with no fault (and
 * must pass), then once per fault (and must exit non-zero). The README's fault table is built from
 * these runs; `npm run write-reports -w @tensorwire/conformance` (CONFORMANCE_WRITE=1) rewrites
 * it, otherwise a stale table fails the test.
 */

const readme = new URL("../../README.md", import.meta.url);
const begin = "<!-- fault-table:begin -->";
const end = "<!-- fault-table:end -->";

async function run(fault?: Fault): Promise<Report> {
  const server = await startReferenceServer(fault);
  try {
    return await runConformance({ url: server.url, grpcUrl: server.grpcAddress });
  } finally {
    await server.close();
  }
}

/** What caught a fault: the first failing MUST case (by name), or why the run was incomplete. */
function caughtBy(report: Report): string {
  const must = report.results.filter(
    (r) => (r.status === "failed" && r.level === "MUST") || r.status === "unexpected-pass",
  );
  if (must[0] !== undefined) {
    return `\`${must[0].name}\`${must.length > 1 ? ` (+${must.length - 1} more)` : ""}`;
  }
  // Ports differ from run to run.
  return `incomplete: ${(report.problems[0] ?? "").replace(/127\.0\.0\.1:\d+/g, "<address>")}`;
}

const rows = new Map<Fault, string[]>();

/** A table padded the way the repository's formatter (Biome) lays out markdown tables. */
function markdownTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] as string).length)));
  const row = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [row(header), row(widths.map((w) => "-".repeat(w))), ...body.map(row)].join("\n");
}

describe("the suite against its reference server", () => {
  it("should pass the server without a fault, skipping only the optional suites", async () => {
    const report = await run();
    expect(report.exitCode, formatTable(report)).toBe(0);
    expect(report.results.filter((r) => r.status === "failed")).toEqual([]);
    expect(report.results.filter((r) => r.status === "skipped" && !r.optional)).toEqual([]);
  });

  it("should list at least 25 faults", () => {
    expect(Object.keys(faults).length).toBeGreaterThanOrEqual(25);
  });

  it.each(Object.keys(faults) as Fault[])(
    "should exit non-zero when the server has fault %s",
    async (fault) => {
      const report = await run(fault);
      expect(report.exitCode, formatTable(report)).not.toBe(0);
      rows.set(fault, [`\`${fault}\``, faults[fault], String(report.exitCode), caughtBy(report)]);
    },
  );

  // Runs after the fault cases above (a file's tests run in order).
  it("should describe every fault in the README's table as the runs above found it", () => {
    expect([...rows.keys()].sort(), "a fault run above failed").toEqual(Object.keys(faults).sort());
    const table = markdownTable(
      ["Fault", "What the server gets wrong", "Exit", "Caught by"],
      (Object.keys(faults) as Fault[]).map((f) => rows.get(f) as string[]),
    );
    const text = readFileSync(readme, "utf8");
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    const current = from < 0 || to < 0 ? "" : text.slice(from + begin.length, to).trim();
    if (process.env.CONFORMANCE_WRITE === "1" && from >= 0 && to >= 0) {
      writeFileSync(readme, `${text.slice(0, from + begin.length)}\n${table}\n${text.slice(to)}`);
    } else {
      expect(
        current,
        "README fault table is stale: run npm run write-reports -w @tensorwire/conformance",
      ).toBe(table);
    }
  });
});
