import type { Reporter, SerializedError, TestModule } from "vitest/node";

/**
 * Ends the run with one plain line, `tests: N passed, N failed, N skipped, N errors`, that CI
 * systems read without knowing vitest's own summary format. Errors are failures outside any test
 * (a throwing `beforeAll`, a file that does not import, an unhandled rejection): their tests are
 * never run, so without the count a broken file would read as "0 failed".
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let errors = unhandledErrors.length;
    for (const module of testModules) {
      errors += module.errors().length;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
    }
    process.stdout.write(
      `\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped, ${errors} errors\n`,
    );
  }
}
