// Mocha's spec reporter plus one plain closing line, `N passed, N failed, N skipped`, which CI reads
// (mocha's own "N passing" lines are not among the lines it recognises).
// Use: mocha --reporter ./test/support/summary-reporter.js ...  (mocha 12 loads it with require(esm)).
import Mocha from 'mocha';

const { EVENT_RUN_END } = Mocha.Runner.constants;

export default class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    // Registered after Spec's own epilogue listener, so this line comes last.
    runner.once(EVENT_RUN_END, () => {
      const { passes = 0, failures = 0, pending = 0 } = runner.stats ?? {};
      process.stdout.write(`${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}
