/**
 * CI reads the plain closing line "N passed, N failed" (jest's own summary goes to stderr).
 * Printed from an exit hook so it is the very last stdout line, after jest's summary.
 * A suite that fails to run counts as a failure, so a broken file can't hide.
 */
class ClosingLineReporter {
  onRunComplete(_contexts, results) {
    const passed = results.numPassedTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.once('exit', () => process.stdout.write(`\n${passed} passed, ${failed} failed\n`));
  }
}
module.exports = ClosingLineReporter;
