import type { CaseResult, CaseStatus, Report, SkipKind } from "./run-conformance.js";

/**
 * How a {@link Report} is written: `table` for people, `json` (the report itself) for programs,
 * `junit` (JUnit XML) for CI systems that display test results.
 */
export type ReportFormat = "table" | "json" | "junit";
/** Every {@link ReportFormat}, the CLI's `--report` choices. */
export const reportFormats: readonly ReportFormat[] = ["table", "json", "junit"];

/**
 * Writes a conformance report in the given format.
 *
 * @example
 * ```ts
 * import { writeFile } from "node:fs/promises";
 * import { formatReport, runConformance } from "@tensorwire/conformance";
 *
 * const report = await runConformance({ url: "http://127.0.0.1:8000" });
 * await writeFile("conformance.xml", formatReport(report, "junit"));
 * ```
 */
export function formatReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case "table":
      return formatTable(report);
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "junit":
      return formatJunit(report);
  }
}

interface Counts {
  passed: number;
  failed: number;
  unexpected: number;
  known: number;
  skipped: number;
}

function count(results: readonly CaseResult[]): Counts {
  const c: Counts = { passed: 0, failed: 0, unexpected: 0, known: 0, skipped: 0 };
  const key: Record<CaseStatus, keyof Counts> = {
    passed: "passed",
    failed: "failed",
    "unexpected-pass": "unexpected",
    "known-failure": "known",
    skipped: "skipped",
  };
  for (const r of results) {
    c[key[r.status]]++;
  }
  return c;
}

const skipKindNotes: Readonly<Record<SkipKind, string>> = {
  capability: "",
  model: "",
  "not-requested": " [not requested]",
  discovery: " [discovery failed]",
};

/** The run's verdict in one line: what the exit status means and, when not 0, the first reason. */
export function verdictLine(report: Report): string {
  if (report.exitCode === 0) {
    return "Result: OK (exit 0)";
  }
  if (report.exitCode === 1) {
    const must = report.results.filter((r) => r.status === "failed" && r.level === "MUST").length;
    const unexpected = report.results.filter((r) => r.status === "unexpected-pass").length;
    const parts = [
      ...(must > 0 ? [`${must} MUST case${must === 1 ? "" : "s"} failed`] : []),
      ...(unexpected > 0
        ? [
            `${unexpected} known failure${unexpected === 1 ? "" : "s"} passed (remove them from the known-failing list)`,
          ]
        : []),
    ];
    const extra = report.problems.length > 0 ? `; also incomplete: ${report.problems[0]}` : "";
    return `Result: NOT OK (exit 1): ${parts.join(", ")}${extra}`;
  }
  const more = report.problems.length > 1 ? ` (+${report.problems.length - 1} more)` : "";
  return `Result: INCOMPLETE (exit 3): ${report.problems[0] ?? ""}${more}`;
}

/**
 * `FAILED:` lines (with level and first difference), `UNEXPECTED PASS:` lines and `INFO:` lines
 * (known failures, skips), sorted by case name; then a per-suite table, the skips by reason, the
 * problems that make the run incomplete, a `Total cases` line and the verdict with its exit status.
 */
export function formatTable(report: Report): string {
  const lines: string[] = [];
  for (const r of report.results) {
    if (r.status === "failed") {
      lines.push(`FAILED: ${r.name} [${r.level}]: ${r.message ?? ""}`);
    } else if (r.status === "unexpected-pass") {
      lines.push(`UNEXPECTED PASS: ${r.name} [${r.level}]: ${r.message ?? ""}`);
    } else if (r.status === "known-failure") {
      lines.push(`INFO: ${r.name} [${r.level}]: known failure: ${r.message ?? ""}`);
    } else if (r.status === "skipped") {
      lines.push(`INFO: ${r.name}: skipped: ${r.message ?? ""}`);
    }
  }
  const suites = [...new Set(report.results.map((r) => r.suite))].sort();
  const rows = suites.map((s) => {
    const c = count(report.results.filter((r) => r.suite === s));
    return [s, String(c.passed), String(c.failed + c.unexpected), String(c.known), String(c.skipped)];
  });
  const header = ["suite", "passed", "failed", "known", "skipped"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const row = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join("  ");
  const total = count(report.results);
  const mustFailed = report.results.filter((r) => r.status === "failed" && r.level === "MUST").length;
  const describe = (m: Report["server"]) => (m === undefined ? "" : ` (${m.name} ${m.version})`);
  const grpc = report.grpcUrl === undefined ? "" : `, gRPC ${report.grpcUrl}${describe(report.grpcServer)}`;
  const width = String(Math.max(0, ...report.skipped.map((g) => g.count))).length;
  const skips = report.skipped.map(
    (g) =>
      `  ${String(g.count).padStart(width)}  ${g.reason}${skipKindNotes[g.kind]}${g.counted > 0 ? ` [${g.counted} outside optional suites]` : ""}`,
  );
  return [
    ...lines,
    ...(lines.length > 0 ? [""] : []),
    `Server: ${report.url}${describe(report.server)}${grpc}, mode ${report.mode}`,
    row(header),
    ...rows.map(row),
    ...(skips.length > 0 ? ["", "Skipped by reason:", ...skips] : []),
    ...(report.problems.length > 0 ? ["", "Problems:", ...report.problems.map((p) => `  ${p}`)] : []),
    "",
    `Total cases: ${report.results.length}, passed ${total.passed}, failed ${total.failed} (MUST ${mustFailed}), unexpected passes ${total.unexpected}, known failures ${total.known}, skipped ${total.skipped}`,
    verdictLine(report),
    "",
  ].join("\n");
}

function xml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/g, "");
}

/** JUnit XML: one testsuite per suite; known failures and skips are `<skipped>` with the reason. */
export function formatJunit(report: Report): string {
  const suites = [...new Set(report.results.map((r) => r.suite))].sort();
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = count(report.results);
  out.push(
    `<testsuites name="tensorwire-conformance" tests="${report.results.length}" failures="${all.failed + all.unexpected}" skipped="${all.skipped + all.known}">`,
  );
  for (const suite of suites) {
    const results = report.results.filter((r) => r.suite === suite);
    const c = count(results);
    const seconds = results.reduce((n, r) => n + r.durationMs, 0) / 1000;
    out.push(
      `  <testsuite name="${xml(suite)}" tests="${results.length}" failures="${c.failed + c.unexpected}" skipped="${c.skipped + c.known}" time="${seconds.toFixed(3)}">`,
    );
    for (const r of results) {
      const open = `    <testcase classname="${xml(suite)}" name="${xml(r.name)} [${r.level}]" time="${(r.durationMs / 1000).toFixed(3)}"`;
      if (r.status === "passed") {
        out.push(`${open}/>`);
      } else if (r.status === "failed" || r.status === "unexpected-pass") {
        out.push(
          `${open}>`,
          `      <failure message="${xml(r.message ?? "")}">${xml(r.spec)}</failure>`,
          "    </testcase>",
        );
      } else {
        out.push(`${open}>`, `      <skipped message="${xml(r.message ?? "")}"/>`, "    </testcase>");
      }
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>", "");
  return out.join("\n");
}
