// The closing line of `npm test`, from vitest's JSON report.

/**
 * Counts from a vitest JSON report. A file that failed without a failing test (its beforeAll
 * threw, it did not import) counts as one failure: vitest marks its tests skipped, and a
 * closing line of "0 failed" would then hide that nothing in it ran.
 */
export function summarize(report) {
  const passed = report.numPassedTests ?? 0;
  let failed = report.numFailedTests ?? 0;
  for (const file of report.testResults ?? []) {
    const anyFailed = (file.assertionResults ?? []).some((a) => a.status === "failed");
    if (file.status === "failed" && !anyFailed) failed++;
  }
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  return { passed, failed, skipped, line: `Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}` };
}
