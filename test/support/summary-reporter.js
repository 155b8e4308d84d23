/**
 * Prints one plain closing line, "Summary: N passed, N failed, N skipped",
 * after Jest's own summary and on the same stream (stderr), for tools that read
 * a run's last line.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stderr.write(`Summary: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

module.exports = SummaryReporter;
