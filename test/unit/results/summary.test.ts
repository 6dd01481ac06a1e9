import { expect } from 'chai';
import { countStatuses } from '../../../src/results/model.js';
import { countsLine, formatSummary, summaryRows, verdictOf } from '../../../src/results/summary.js';
import { fixture } from './fixture.js';

describe('results summary', () => {
  it('one row per requirement with its verdict and leaf counts', () => {
    expect(
      summaryRows(fixture).map((r) => [
        r.requirement,
        r.verdict,
        r.counts.passed,
        r.counts.failed,
        r.counts.skipped,
        r.counts.error,
      ]),
    ).to.deep.equal([
      ['secure_accelerator_access', 'FAIL', 1, 1, 1, 0],
      ['gang_scheduling', 'ERROR', 1, 0, 0, 1],
      ['accelerator_metrics', 'PASS', 1, 0, 0, 0],
      ['cluster_autoscaling', 'SKIP', 0, 0, 2, 0],
    ]);
  });

  it('ends with the plain counts line', () => {
    const lines = formatSummary(fixture).trimEnd().split('\n');
    expect(lines.at(-1)).to.equal('3 passed, 1 failed, 3 skipped, 1 errors');
    expect(countsLine(countStatuses(fixture.tests))).to.equal('3 passed, 1 failed, 3 skipped, 1 errors');
  });

  it('no ANSI escapes unless colour is asked for; same text either way', () => {
    const plain = formatSummary(fixture);
    const colored = formatSummary(fixture, { color: true });
    // eslint-disable-next-line no-control-regex
    const ansi = /\u001b\[[0-9;]*m/g;
    expect(plain).not.to.match(ansi);
    expect(colored).to.match(ansi);
    expect(colored.replace(ansi, '')).to.equal(plain);
  });

  it('columns line up whatever the names: every table row is as wide as the rule', () => {
    const lines = formatSummary(fixture).split('\n').slice(0, 7);
    expect(lines[5]).to.match(/^-+$/);
    expect(lines.map((l) => l.length)).to.deep.equal(Array<number>(7).fill(lines[5]?.length ?? 0));
    expect(lines[0]?.indexOf('VERDICT')).to.equal(lines[1]?.indexOf('FAIL'));
  });

  it('verdicts: failure beats error beats skip beats pass; PASS only when every test passed', () => {
    const c = (passed: number, failed: number, skipped: number, error: number) => ({
      passed,
      failed,
      skipped,
      error,
      total: passed + failed + skipped + error,
    });
    expect(verdictOf(c(1, 1, 0, 1))).to.equal('FAIL');
    expect(verdictOf(c(1, 0, 0, 1))).to.equal('ERROR');
    expect(verdictOf(c(1, 0, 1, 0))).to.equal('SKIP');
    expect(verdictOf(c(0, 0, 2, 0))).to.equal('SKIP');
    expect(verdictOf(c(3, 0, 0, 0))).to.equal('PASS');
  });
});
