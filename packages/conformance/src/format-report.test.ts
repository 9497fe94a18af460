import { describe, expect, it } from "vitest";
import { formatJunit, formatTable } from "./format-report.js";
import type { CaseResult, Report } from "./run-conformance.js";

const result = (name: string, status: CaseResult["status"], message?: string): CaseResult => ({
  name,
  suite: name.split("/")[0] as string,
  level: "MUST",
  requirement: "r",
  spec: "https://example.com/#a&b",
  status,
  ...(message === undefined ? {} : { message }),
  ...(status === "skipped" ? { skipKind: "model" as const } : {}),
  optional: false,
  durationMs: 3,
});

const report: Report = {
  url: "http://127.0.0.1:1",
  mode: "spec",
  results: [
    result("a-suite/one", "failed", "status: expected 400, got 500"),
    result("a-suite/two", "passed"),
    result("b-suite/three", "skipped", "the server has no model 'x'"),
    result("b-suite/four", "known-failure", "body <x> [known: why]"),
    result("b-suite/five", "unexpected-pass", "passed, but known-failing lists it (why); remove the entry"),
  ],
  skipped: [{ reason: "the server has no model 'x'", kind: "model", count: 1, counted: 1 }],
  problems: [
    "1 cases outside the optional suites were skipped, more than --max-skipped 0: the server has no model 'x' (1)",
  ],
  exitCode: 1,
  ok: false,
};

describe("formatTable()", () => {
  it("should list FAILED, UNEXPECTED PASS and INFO lines, a per-suite table, skips by reason and the verdict", () => {
    expect(formatTable(report)).toBe(
      [
        "FAILED: a-suite/one [MUST]: status: expected 400, got 500",
        "INFO: b-suite/three: skipped: the server has no model 'x'",
        "INFO: b-suite/four [MUST]: known failure: body <x> [known: why]",
        "UNEXPECTED PASS: b-suite/five [MUST]: passed, but known-failing lists it (why); remove the entry",
        "",
        "Server: http://127.0.0.1:1, mode spec",
        "suite    passed  failed  known  skipped",
        "a-suite       1       1      0        0",
        "b-suite       0       1      1        1",
        "",
        "Skipped by reason:",
        "  1  the server has no model 'x' [1 outside optional suites]",
        "",
        "Problems:",
        "  1 cases outside the optional suites were skipped, more than --max-skipped 0: the server has no model 'x' (1)",
        "",
        "Total cases: 5, passed 1, failed 1 (MUST 1), unexpected passes 1, known failures 1, skipped 1",
        "Result: NOT OK (exit 1): 1 MUST case failed, 1 known failure passed (remove them from the known-failing list); also incomplete: 1 cases outside the optional suites were skipped, more than --max-skipped 0: the server has no model 'x' (1)",
        "",
      ].join("\n"),
    );
  });
});

describe("formatJunit()", () => {
  it("should write one testsuite per suite with escaped failures and skips", () => {
    const xml = formatJunit(report);
    expect(xml).toContain('<testsuite name="a-suite" tests="2" failures="1" skipped="0"');
    expect(xml).toContain(
      '<failure message="status: expected 400, got 500">https://example.com/#a&amp;b</failure>',
    );
    expect(xml).toContain('<skipped message="body &lt;x&gt; [known: why]"/>');
  });
});
