import { relative } from "node:path";
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from "vitest/node";

/**
 * Ends the run with one plain line, `N passed, N failed, N skipped`, that CI logs can be read by. A file that fails
 * outside its tests (it does not load, or a hook throws and its tests are skipped) and an unhandled error each count
 * as a failure, and so does a run that failed before any file ran (a global set-up threw) or was interrupted: that
 * line never reads `0 failed` for a run that failed. A line before it names what failed outside the tests.
 * TEST_SUMMARY_LABEL (one word) prefixes the line, when several runs print one each.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    const tests = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    const brokenFiles: string[] = [];
    for (const module of testModules) {
      let failedTests = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        tests[state] += 1;
        if (state === "failed") failedTests += 1;
      }
      if (module.state() === "failed" && failedTests === 0) brokenFiles.push(relative(process.cwd(), module.moduleId));
    }
    const counted = tests.failed + brokenFiles.length + unhandledErrors.length;
    const runFailed = reason !== "passed" && counted === 0;
    const failed = counted + (runFailed ? 1 : 0);
    if (failed > tests.failed) {
      const parts = [`${tests.failed} test(s)`];
      if (brokenFiles.length > 0)
        parts.push(`${brokenFiles.length} file(s) outside their tests (${brokenFiles.join(", ")})`);
      if (unhandledErrors.length > 0) parts.push(`${unhandledErrors.length} unhandled error(s)`);
      if (runFailed)
        parts.push(reason === "interrupted" ? "the run, interrupted" : "the run, outside any file (see the error)");
      console.log(`\nfailed: ${parts.join(", ")}`);
    }
    const label = process.env.TEST_SUMMARY_LABEL ? `${process.env.TEST_SUMMARY_LABEL}: ` : "";
    console.log(`\n${label}${tests.passed} passed, ${failed} failed, ${tests.skipped + tests.pending} skipped`);
  }
}
