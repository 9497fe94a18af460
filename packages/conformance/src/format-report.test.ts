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
  ],
  ok: false,
};

describe("formatTable()", () => {
  it("should list FAILED and INFO lines, a per-suite table and the total", () => {
    expect(formatTable(report)).toBe(
      [
        "FAILED: a-suite/one [MUST]: status: expected 400, got 500",
        "INFO: b-suite/three: skipped: the server has no model 'x'",
        "INFO: b-suite/four [MUST]: known failure: body <x> [known: why]",
        "",
        "Server: http://127.0.0.1:1, mode spec",
        "suite    passed  failed  known  skipped",
        "a-suite       1       1      0        0",
        "b-suite       0       0      1        1",
        "",
        "Total cases: 4, passed 1, failed 1 (MUST 1), known failures 1, skipped 1: NOT OK",
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
