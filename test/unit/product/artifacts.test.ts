/**
 * The evidence readers behind `product check` and `report`: the three Go shapes read down to test
 * outcomes, checked on our own files and on files written by the real Go tools (go test -v/-json,
 * gotestsum, go-junit-report) for a small Go package made on the spot; and junit.xml read back
 * into the Results model. The Go part is skipped with the reason when Go or the tools are missing.
 */

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { artifactFormat, failingTests, parseArtifact, type ArtifactTests } from '../../../src/product/artifacts.js';
import { parseJUnit, resultsFromJUnit, undecorate } from '../../../src/results/read-junit.js';
import { formatGoTestJson } from '../../../src/results/gotest-json.js';
import { formatGoTestLog } from '../../../src/results/gotest-log.js';
import { formatJUnit } from '../../../src/results/junit.js';
import { writeResults } from '../../../src/results/write.js';
import { childElements, parseXml, textContent, XmlSyntaxError } from '../../../src/results/xml.js';
import { EXPECTED_OUTCOMES } from '../results/expected.js';
import { fixture } from '../results/fixture.js';

const TOOLS_BIN = path.join(
  process.env.AIC_CACHE_DIR ?? path.join(homedir(), '.cache', 'ai-conformance'),
  'tools',
  'bin',
);

function outcomes(a: ArtifactTests): Record<string, string> {
  return Object.fromEntries([...a.tests].sort(([x], [y]) => x.localeCompare(y)));
}

describe('evidence readers', () => {
  describe('our own evidence files', () => {
    let dir = '';
    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'aic-artifacts-'));
      await writeResults(dir, fixture, { argv: [] });
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const expected = Object.fromEntries(
      Object.entries(EXPECTED_OUTCOMES)
        .map(([key, o]): [string, string] => [key.split(' ')[1] ?? '', o])
        .sort(([x], [y]) => x.localeCompare(y)),
    );

    for (const file of ['junit.xml', 'results.json', 'e2e.log']) {
      it(`${file}: every test and its outcome, parents included`, async () => {
        const format = artifactFormat(file);
        if (format === undefined) throw new Error(file);
        const parsed = parseArtifact(format, await readFile(path.join(dir, file), 'utf8'));
        expect(outcomes(parsed)).to.deep.equal(expected);
        expect(failingTests(parsed).sort()).to.deep.equal(
          Object.entries(expected)
            .filter(([, o]) => o === 'fail')
            .map(([n]) => n)
            .sort(),
        );
      });
    }

    it('junit.xml reads back into the Results model', async () => {
      const xml = await readFile(path.join(dir, 'junit.xml'), 'utf8');
      const back = resultsFromJUnit(parseJUnit(xml), fixture.run);
      const strip = (t: (typeof fixture.tests)[number]) => ({
        name: t.name,
        requirement: t.requirement,
        status: t.status,
        message: t.message,
        details: t.details,
        durationMs: t.durationMs,
        log: t.log,
      });
      // The writer takes one dash off a quoted `--- FAIL:` so no log line reads as a result; that stays.
      const defused = fixture.tests.map((t) => ({ ...t, log: t.log.map((l) => l.replace(/---(?= FAIL:)/g, '--')) }));
      expect(back.tests.map(strip)).to.deep.equal(defused.map(strip));
      expect(back.run).to.equal(fixture.run);
    });

    it('without meta/run.json the run comes from the suite properties', () => {
      const back = resultsFromJUnit(parseJUnit(formatJUnit(fixture)));
      expect(back.run).to.deep.include({ runId: fixture.run.runId, serverVersion: 'v1.36.3', incomplete: false });
      expect(back.run.profile).to.deep.equal(fixture.run.profile);
      expect(back.run.tool).to.deep.equal(fixture.run.tool);
    });
  });

  it('our writers: e2e.log result names have no blank (Unicode ones included), results.json is JSON lines only', () => {
    const names = ['TestX/with space', 'TestX/with\ttab', 'TestX/no\u00a0break', 'TestY'];
    const results = {
      ...fixture,
      tests: names.map((name, i) => ({
        name,
        requirement: i < 3 ? 'gang_scheduling' : 'ai_inference',
        probe: 'p',
        status: 'passed' as const,
        durationMs: 10,
        startedAt: fixture.run.startedAt,
        log: ['quoted from another tool: --- FAIL: TestZ (0.00s)', 'multi\nline'],
      })),
    };
    const expectedNames = ['TestX', 'TestX/with_space', 'TestX/with_tab', 'TestX/no_break', 'TestY'].sort();
    const log = formatGoTestLog(results);
    expect([...parseArtifact('go-test-log', log).tests.keys()].sort()).to.deep.equal(expectedNames);
    // Every `--- X: ` line names a test and ends with Go's `(N.NNs)`: no name was cut at a blank.
    for (const line of log.split('\n').filter((l) => /--- (PASS|FAIL|SKIP): /.test(l)))
      expect(line, line).to.match(/^ *--- (PASS|FAIL|SKIP): \S+ \(\d+\.\d{2}s\)$/);
    const json = formatGoTestJson(results);
    for (const line of json.split('\n').filter((l) => l !== '')) {
      const event = JSON.parse(line) as unknown;
      expect(event, line).to.be.an('object').that.has.property('Package');
    }
    expect([...parseArtifact('go-test-json', json).tests.keys()].sort()).to.deep.equal(expectedNames);
    expect(failingTests(parseArtifact('go-test-log', log))).to.deep.equal([]);
  });

  it('names: the validator matches base names case-insensitively', () => {
    expect(
      ['junit.xml', 'tests/JUnit.XML', 'results.json', 'e2e.log', 'e2e-results.log', 'junit_01.xml'].map(
        artifactFormat,
      ),
    ).to.deep.equal(['junit', 'junit', 'go-test-json', 'go-test-log', undefined, undefined]);
  });

  it('a Ginkgo log or a non-event JSON file does not parse', () => {
    expect(() => parseArtifact('go-test-log', 'Ran 12 of 12 Specs\nSUCCESS! -- 12 Passed\n')).to.throw(
      /no `--- PASS\/FAIL\/SKIP: Name` result lines/,
    );
    expect(() => parseArtifact('go-test-json', '[1,2]\n')).to.throw(/line 1 is not a JSON object/);
    expect(() => parseArtifact('go-test-json', '{"Action":"start","Package":"p"}\n')).to.throw(
      /no `go test -json` test events/,
    );
    expect(() => parseArtifact('junit', '<html></html>')).to.throw(/root element is <html>/);
  });

  it('undoes Go log decoration, continuation lines included', () => {
    expect(undecorate('    probe: first\n        second\n    probe: third\nraw\n')).to.deep.equal({
      source: 'probe',
      entries: ['first\nsecond', 'third', 'raw'],
    });
  });

  describe('XML', () => {
    it('reads CDATA, entities and comments', () => {
      const root = parseXml(
        '<?xml version="1.0"?>\n<!-- c --><a x="1 &amp; 2"><b><![CDATA[<raw> & ]]>&lt;t&gt;&#x41;</b><c/></a>',
      );
      expect(root.attrs.x).to.equal('1 & 2');
      const b = childElements(root, 'b')[0];
      expect(b && textContent(b)).to.equal('<raw> & <t>A');
    });

    it('reports the line of a mismatched tag', () => {
      expect(() => parseXml('<a>\n<b>\n</a>')).to.throw(XmlSyntaxError, /^line 3: <\/a> does not close <b>/);
      expect(() => parseXml('<a>\n<b>')).to.throw(XmlSyntaxError, /<b> is never closed/);
    });
  });

  describe('files written by the Go tools', function () {
    this.timeout(120_000);
    const gotestsum = path.join(TOOLS_BIN, 'gotestsum');
    const goJunitReport = path.join(TOOLS_BIN, 'go-junit-report');
    let go: string | undefined;
    try {
      execFileSync('go', ['version'], { stdio: 'ignore' });
      go = 'go';
    } catch {
      go = undefined;
    }
    const ready = go !== undefined && existsSync(gotestsum) && existsSync(goJunitReport);
    let dir = '';

    const EXPECTED = {
      TestAlpha: 'pass',
      'TestAlpha/One': 'pass',
      'TestAlpha/Two': 'skip',
      TestBeta: 'fail',
      'TestBeta/Broken': 'fail',
      TestGamma: 'skip',
    };

    before(async function () {
      if (!ready) {
        console.log(
          `    (skipped: needs go on PATH and gotestsum, go-junit-report in ${TOOLS_BIN}; run test/tools/install-go-tools)`,
        );
        this.skip();
      }
      dir = await mkdtemp(path.join(tmpdir(), 'aic-gotools-'));
      await writeFile(path.join(dir, 'go.mod'), 'module example.com/probe\n\ngo 1.21\n');
      await writeFile(
        path.join(dir, 'probe_test.go'),
        [
          'package probe',
          'import "testing"',
          'func TestAlpha(t *testing.T) {',
          '\tt.Run("One", func(t *testing.T) { t.Log("fine") })',
          '\tt.Run("Two", func(t *testing.T) { t.Skip("not applicable") })',
          '}',
          'func TestBeta(t *testing.T) {',
          '\tt.Run("Broken", func(t *testing.T) { t.Error("expected 1, got 2") })',
          '}',
          'func TestGamma(t *testing.T) { t.Skip("no hardware") }',
          '',
        ].join('\n'),
      );
    });
    after(async () => {
      if (dir !== '') await rm(dir, { recursive: true, force: true });
    });

    /** Runs a Go tool in the package; a failing test makes it exit 1, which is expected here. */
    function run(cmd: string, args: string[]): string {
      const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false', GOPROXY: 'off' };
      try {
        return execFileSync(cmd, args, { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        const e = err as { status?: number; stdout?: string };
        if (e.status === 1 && e.stdout !== undefined) return e.stdout;
        throw err;
      }
    }

    it('go test -v (e2e.log)', () => {
      expect(outcomes(parseArtifact('go-test-log', run(go ?? 'go', ['test', '-v', '-count=1', '.'])))).to.deep.equal(
        EXPECTED,
      );
    });

    it('go test -json (results.json)', () => {
      expect(
        outcomes(parseArtifact('go-test-json', run(go ?? 'go', ['test', '-json', '-count=1', '.']))),
      ).to.deep.equal(EXPECTED);
    });

    it('gotestsum --junitfile (junit.xml)', async () => {
      run(gotestsum, ['--junitfile', 'junit.xml', '--', '-count=1', '.']);
      const parsed = parseArtifact('junit', await readFile(path.join(dir, 'junit.xml'), 'utf8'));
      // gotestsum lists skipped parents as passed, as Go does.
      expect(outcomes(parsed)).to.deep.equal(EXPECTED);
    });

    it('go-junit-report from the -v transcript (junit.xml)', async () => {
      await writeFile(path.join(dir, 'e2e.log'), run(go ?? 'go', ['test', '-v', '-count=1', '.']));
      const xml = run(goJunitReport, ['-in', 'e2e.log']);
      expect(outcomes(parseArtifact('junit', xml))).to.deep.equal(EXPECTED);
    });
  });
});
