/**
 * The real Go tools as oracles for our Go-shaped evidence: gotestsum reads results.json as a
 * `go test -json` stream, go-junit-report reads e2e.log as `go test -v` output and results.json as
 * JSON. Their verdicts must equal ours. Without the tools these tests are skipped with a reason
 * (run test/tools/install-go-tools), never passed.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { EVIDENCE_FILES, writeResults } from '../../../src/results/write.js';
import { EXPECTED_OUTCOMES, EXPECTED_TALLY } from './expected.js';
import { fixture } from './fixture.js';
import {
  goJsonOutcomes,
  junitOutcomes,
  parseGoJson,
  parseJUnit,
  tally,
  type GoEvent,
  type JUnitDoc,
} from './parse-evidence.js';

const TOOLS_BIN = path.join(
  process.env.AIC_CACHE_DIR ?? path.join(homedir(), '.cache', 'ai-conformance'),
  'tools',
  'bin',
);

function tool(name: string): string | undefined {
  const bin = path.join(TOOLS_BIN, name);
  return existsSync(bin) ? bin : undefined;
}

/** The Go toolchain on PATH, for `go tool test2json` (Go's own reader of `go test -v` output). */
function goOnPath(): string | undefined {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return 'go';
  } catch {
    return undefined;
  }
}

/** e2e.log cut at each package's `ok  \tpkg` / `FAIL\tpkg` line: test2json reads one package at a time. */
function packageSections(log: string): { pkg: string; text: string }[] {
  const sections: { pkg: string; text: string }[] = [];
  let lines: string[] = [];
  for (const line of log.split('\n')) {
    lines.push(line);
    const trailer = /^(?:ok {2}|FAIL)\t(\S+)\t/.exec(line);
    if (trailer) {
      sections.push({ pkg: trailer[1] ?? '', text: lines.join('\n') + '\n' });
      lines = [];
    }
  }
  return sections;
}

/** Output lines per test, result lines left out (the -v transcript indents them, JSON mode does not). */
function outputByTest(events: readonly GoEvent[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of events) {
    if (e.Action !== 'output' || e.Test === undefined || /^\s*--- /.test(e.Output ?? '')) continue;
    const key = `${e.Package} ${e.Test}`;
    out[key] = (out[key] ?? '') + (e.Output ?? '');
  }
  return out;
}

/** `it`, or `it.skip` with the reason in the title so the skip is visible in every reporter. */
function itWith(
  bin: string | undefined,
  name: string,
): Mocha.TestFunction | ((title: string, fn: () => unknown) => void) {
  if (bin) return it;
  return (title: string) => it.skip(`${title} [skipped: ${name} not in ${TOOLS_BIN}; run test/tools/install-go-tools]`);
}

/** Per-suite counts a JUnit consumer sees: tests, failures (failure + error) and skipped. */
function suiteCounts(doc: JUnitDoc): Record<string, { tests: number; failures: number; skipped: number }> {
  return Object.fromEntries(
    doc.suites.map((s): [string, { tests: number; failures: number; skipped: number }] => [
      s.attrs.name ?? '',
      {
        tests: s.cases.length,
        failures: s.cases.filter((c) => c.element === 'failure' || c.element === 'error').length,
        skipped: s.cases.filter((c) => c.element === 'skipped').length,
      },
    ]),
  );
}

describe('results writers: Go tools as oracles', function () {
  this.timeout(30_000);
  const gotestsum = tool('gotestsum');
  const goJunitReport = tool('go-junit-report');
  let dir = '';
  let ours: JUnitDoc;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'aic-oracle-'));
    await writeResults(dir, fixture, { argv: [] });
    ours = parseJUnit(await readFile(path.join(dir, 'junit.xml'), 'utf8'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function goJunitReportOn(parser: 'gotest' | 'gojson', file: string): JUnitDoc {
    return parseJUnit(execFileSync(goJunitReport ?? '', ['-parser', parser, '-in', file], { encoding: 'utf8' }));
  }

  itWith(gotestsum, 'gotestsum')('gotestsum accepts results.json and its JUnit agrees with ours', () => {
    const out = path.join(dir, 'gotestsum.xml');
    const stdout = execFileSync(
      gotestsum ?? '',
      ['--format', 'testname', '--junitfile', out, '--raw-command', '--', 'cat', 'results.json'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    expect(stdout).to.match(/^DONE 11 tests, 4 skipped, 4 failures in /m);
    const theirs = parseJUnit(readFileSync(out, 'utf8'));
    expect(Object.fromEntries(junitOutcomes(theirs))).to.deep.equal(EXPECTED_OUTCOMES);
    expect(suiteCounts(theirs)).to.deep.equal(suiteCounts(ours));
    expect(theirs.attrs).to.include({ tests: '11', failures: '4' });
  });

  for (const [parser, file] of [
    ['gotest', EVIDENCE_FILES.goTestLog],
    ['gojson', EVIDENCE_FILES.goTestJson],
  ] as const) {
    itWith(goJunitReport, 'go-junit-report')(
      `go-junit-report -parser ${parser} reads ${file} with the same verdicts`,
      () => {
        const theirs = goJunitReportOn(parser, path.join(dir, file));
        expect(Object.fromEntries(junitOutcomes(theirs))).to.deep.equal(EXPECTED_OUTCOMES);
        expect(tally(junitOutcomes(theirs))).to.deep.equal(EXPECTED_TALLY);
        expect(suiteCounts(theirs)).to.deep.equal(suiteCounts(ours));
        expect(theirs.attrs).to.include({ tests: '11', failures: '4', skipped: '4' });
      },
    );
  }

  itWith(goOnPath(), 'go')('go tool test2json reads e2e.log into the same events as results.json', () => {
    const ourEvents = parseGoJson(readFileSync(path.join(dir, 'results.json'), 'utf8'));
    const theirEvents = packageSections(readFileSync(path.join(dir, 'e2e.log'), 'utf8')).flatMap(({ pkg, text }) =>
      // -t adds Time and with it Elapsed, which test2json takes from each `(1.23s)`.
      parseGoJson(execFileSync('go', ['tool', 'test2json', '-t', '-p', pkg], { input: text, encoding: 'utf8' })),
    );
    expect(Object.fromEntries(goJsonOutcomes(theirEvents))).to.deep.equal(EXPECTED_OUTCOMES);
    // Test-level only: test2json times the package itself, as it would a live `go test`.
    const elapsed = (events: readonly GoEvent[]): Record<string, number | undefined> =>
      Object.fromEntries(
        events
          .filter((e) => e.Test !== undefined && ['pass', 'fail', 'skip'].includes(e.Action))
          .map((e) => [`${e.Package} ${e.Test ?? ''}`, e.Elapsed]),
      );
    expect(elapsed(theirEvents)).to.deep.equal(elapsed(ourEvents));
    expect(outputByTest(theirEvents)).to.deep.equal(outputByTest(ourEvents));
  });

  itWith(goJunitReport, 'go-junit-report')('go-junit-report keeps our log and messages with the right test', () => {
    const cases = goJunitReportOn('gotest', path.join(dir, EVIDENCE_FILES.goTestLog)).suites.flatMap((s) => s.cases);
    const byName = (name: string): string => cases.find((c) => c.name === name)?.body ?? '';
    expect(byName('TestSecureAcceleratorAccess/PositiveAccessTest')).to.include('device files:\t/dev/nvidia0');
    expect(byName('TestSecureAcceleratorAccess/NegativeAccessTest')).to.include('saw devices <nvidia0> & "nvidia1"');
    expect(byName('TestSecureAcceleratorAccess/DraAccessTest')).to.include('parameter dra.deviceClass is not set');
    expect(byName('TestGangScheduling/NegativeGangScheduling')).to.include('error: timed out after 30s');
  });
});
