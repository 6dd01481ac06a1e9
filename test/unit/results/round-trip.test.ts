/**
 * junit.xml, results.json and e2e.log, read back, report the same tests with the same outcomes:
 * nothing fails in one file that does not fail in the others.
 */

import { expect } from 'chai';
import { formatGoTestJson } from '../../../src/results/gotest-json.js';
import { formatGoTestLog } from '../../../src/results/gotest-log.js';
import { formatJUnit } from '../../../src/results/junit.js';
import type { TestResult } from '../../../src/results/model.js';
import { EXPECTED_OUTCOMES, EXPECTED_PACKAGES, EXPECTED_TALLY } from './expected.js';
import { fixture } from './fixture.js';
import {
  goJsonOutcomes,
  goLogOutcomes,
  junitOutcomes,
  parseGoJson,
  parseJUnit,
  tally,
  type GoEvent,
} from './parse-evidence.js';

describe('results writers: round trip', () => {
  const junit = parseJUnit(formatJUnit(fixture));
  const events = parseGoJson(formatGoTestJson(fixture));
  const log = goLogOutcomes(formatGoTestLog(fixture));

  it('junit.xml has every test, parents included, with the expected outcome', () => {
    expect(Object.fromEntries(junitOutcomes(junit))).to.deep.equal(EXPECTED_OUTCOMES);
  });

  it('results.json has every test with the expected outcome', () => {
    expect(Object.fromEntries(goJsonOutcomes(events))).to.deep.equal(EXPECTED_OUTCOMES);
  });

  it('e2e.log has every test with the expected outcome', () => {
    expect(Object.fromEntries(log.outcomes)).to.deep.equal(EXPECTED_OUTCOMES);
  });

  it('passed/failed/skipped counts agree across the three files', () => {
    expect(tally(junitOutcomes(junit))).to.deep.equal(EXPECTED_TALLY);
    expect(tally(goJsonOutcomes(events))).to.deep.equal(EXPECTED_TALLY);
    expect(tally(log.outcomes)).to.deep.equal(EXPECTED_TALLY);
  });

  it('package verdicts agree between results.json and e2e.log', () => {
    const fromJson = Object.fromEntries(
      events
        .filter((e) => e.Test === undefined && (e.Action === 'pass' || e.Action === 'fail'))
        .map((e) => [e.Package, e.Action === 'fail' ? 'FAIL' : 'ok']),
    );
    expect(fromJson).to.deep.equal(EXPECTED_PACKAGES);
    expect(Object.fromEntries(log.packages)).to.deep.equal(EXPECTED_PACKAGES);
  });

  it('junit.xml counts: failures and errors split, skipped never a failure', () => {
    expect(junit.attrs).to.include({ tests: '11', failures: '3', errors: '1' });
    for (const suite of junit.suites) {
      const count = (el: string): number => suite.cases.filter((c) => c.element === el).length;
      expect(suite.attrs.tests).to.equal(String(suite.cases.length));
      expect(suite.attrs.failures).to.equal(String(count('failure')));
      expect(suite.attrs.errors).to.equal(String(count('error')));
      expect(suite.attrs.skipped).to.equal(String(count('skipped')));
    }
    const skipped = junit.suites.flatMap((s) => s.cases).filter((c) => c.element === 'skipped');
    expect(skipped.map((c) => c.message)).to.include('parameter dra.deviceClass is not set');
  });

  it('junit.xml keeps XML-special characters, newlines and tabs intact', () => {
    const cases = junit.suites.flatMap((s) => s.cases);
    const negative = cases.find((c) => c.name === 'TestSecureAcceleratorAccess/NegativeAccessTest');
    expect(negative?.element).to.equal('failure');
    expect(negative?.message).to.equal(fixture.tests[1]?.message);
    const positive = cases.find((c) => c.name === 'TestSecureAcceleratorAccess/PositiveAccessTest');
    expect(positive?.body).to.include('device files:\t/dev/nvidia0');
    const errored = cases.find((c) => c.name === 'TestGangScheduling/NegativeGangScheduling');
    expect(errored?.element).to.equal('error');
  });

  it('results.json: events in test2json order, each test run before output before result', () => {
    const seen = new Map<string, string[]>();
    for (const e of events) {
      if (e.Test === undefined) continue;
      const key = `${e.Package} ${e.Test}`;
      seen.set(key, [...(seen.get(key) ?? []), e.Action]);
    }
    for (const [key, actions] of seen) {
      expect(actions[0], key).to.equal('run');
      expect(actions.at(-1), key).to.be.oneOf(['pass', 'fail', 'skip']);
      expect(
        actions.slice(1, -1).every((a) => a === 'output'),
        key,
      ).to.equal(true);
    }
    // A parent closes after all of its subtests.
    const closeIndex = (test: string): number =>
      events.findIndex((e: GoEvent) => e.Test === test && e.Action !== 'output' && e.Action !== 'run');
    expect(closeIndex('TestGangScheduling')).to.be.greaterThan(closeIndex('TestGangScheduling/NegativeGangScheduling'));
    // Each package starts first and ends with its verdict.
    const pkgEvents = events.filter((e) => e.Package === 'ai-conformance/gang_scheduling');
    expect(pkgEvents[0]?.Action).to.equal('start');
    expect(pkgEvents.at(-1)).to.include({ Action: 'fail', Elapsed: 35.1 });
  });

  it('results.json: Elapsed of a test equals the seconds in its result line', () => {
    for (const e of events.filter((x) => x.Test !== undefined && x.Elapsed !== undefined)) {
      const line = events.find((o) => o.Test === e.Test && o.Output?.includes(`: ${e.Test} (`));
      expect(line?.Output, e.Test).to.include(`(${(e.Elapsed ?? 0).toFixed(2)}s)`);
    }
  });
});

describe('results writers: edge cases', () => {
  const empty = { ...fixture, tests: [] };

  it('an empty run writes an empty testsuites element, no events and no transcript', () => {
    const junit = parseJUnit(formatJUnit(empty));
    expect(junit.attrs).to.include({ tests: '0', failures: '0', errors: '0' });
    expect(junit.suites).to.deep.equal([]);
    expect(formatGoTestJson(empty)).to.equal('');
    expect(formatGoTestLog(empty)).to.equal('');
  });

  it('characters XML cannot hold become U+FFFD; the rest survive escaping', () => {
    const odd = {
      ...fixture,
      tests: [
        {
          ...(fixture.tests[1] as TestResult),
          message: "bell\u0007 nul\u0000 ]]> 'quote' \r\n done",
          log: ['emoji 🚀 and \u00e9'],
        },
      ],
    };
    const xml = formatJUnit(odd);
    const c = parseJUnit(xml).suites[0]?.cases.find((x) => x.element === 'failure' && x.name.includes('/'));
    expect(c?.message).to.equal("bell\uFFFD nul\uFFFD ]]> 'quote' \r\n done");
    expect(c?.body).to.include('emoji 🚀 and \u00e9');
    expect(/[\x00-\x08]/.test(xml)).to.equal(false); // eslint-disable-line no-control-regex
  });
});
