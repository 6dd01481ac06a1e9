// The runner end to end against the real test cluster, with fixture probes that pass, fail, skip,
// time out, fail in setup and get interrupted: statuses, exit codes, evidence files, and that every
// probe namespace is gone afterwards on each path.
import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Kube } from '../../src/kube/client.js';
import { RUN_LABEL } from '../../src/kube/labels.js';
import { PROBES, type Probe } from '../../src/requirements/probes.js';
import { runConformance, type RunOptions } from '../../src/runner/run.js';
import { requireCluster, testKubeconfig } from './cluster.js';
import { readEvidence } from './run-cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (...p: string[]): string => path.join(here, '..', 'fixtures', ...p);

function fixtureProbe(id: string, requirement: string, spec: string): Probe {
  return { id, requirement, spec: fixture('suites', spec), tests: [], parameters: [] };
}

(PROBES as Probe[]).push(
  ...['fixture-pass', 'fixture-fail', 'fixture-skip', 'fixture-skip-all', 'fixture-timeout', 'fixture-setup-error'].map(
    (id) => fixtureProbe(id, 'robust_controller', 'statuses.spec.ts'),
  ),
  fixtureProbe('fixture-interrupt', 'virtualized_accelerator', 'interrupt.spec.ts'),
  fixtureProbe('fixture-ff-first', 'gpu_sharing', 'fail-fast.spec.ts'),
  fixtureProbe('fixture-ff-second', 'gpu_sharing', 'fail-fast.spec.ts'),
);

interface RunOutcome {
  code: number;
  dir: string;
  runId: string;
  actions: Map<string, string>;
  output: (test: string) => string;
  junit: string;
}

async function runFixture(profile: string, extra: Partial<RunOptions> = {}): Promise<RunOutcome> {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'aic-runner-')), 'out');
  const sink = new (await import('node:stream')).PassThrough();
  const code = await runConformance({
    profile: fixture('profiles', `${profile}.yaml`),
    set: [],
    kubeconfig: testKubeconfig(),
    output: dir,
    dryRun: false,
    failFast: false,
    passphraseEnv: 'AI_CONFORMANCE_KEY_PASSPHRASE',
    argv: ['run'],
    stdout: Object.assign(sink, { isTTY: false }) as unknown as NodeJS.WriteStream,
    ...extra,
  });
  const { actions, output } = readEvidence(dir);
  const runId = (JSON.parse(readFileSync(path.join(dir, 'meta', 'run.json'), 'utf8')) as { run: { runId: string } }).run
    .runId;
  return {
    code,
    dir,
    runId,
    actions,
    output,
    junit: readFileSync(path.join(dir, 'junit.xml'), 'utf8'),
  };
}

async function namespacesOf(runId: string): Promise<string[]> {
  const kube = Kube.load({ kubeconfig: testKubeconfig() });
  const list = await kube.core.listNamespace({ labelSelector: `${RUN_LABEL}=${runId}` });
  // Namespaces being deleted still list; anything not Terminating would be a leftover.
  return list.items.filter((n) => n.status?.phase !== 'Terminating').map((n) => n.metadata?.name ?? '');
}

describe('runner against the test cluster', function () {
  this.timeout(180_000);
  before(requireCluster);

  describe('a run with passing, failing, skipped, timed-out and broken probes', () => {
    let run: RunOutcome;
    before(async () => {
      run = await runFixture('runner-statuses');
    });

    it('exits 1 because a probe failed', () => {
      expect(run.code).to.equal(1);
    });

    it('reports each status in results.json', () => {
      expect(Object.fromEntries(run.actions)).to.include({
        'TestFixturePass/ReadsBack': 'pass',
        'TestFixtureFail/WrongValue': 'fail',
        'TestFixtureFail/StillRunsAfterAFailure': 'pass',
        TestFixtureFail: 'fail',
        'TestFixtureSkip/NotApplicable': 'skip',
        'TestFixtureSkipAll/First': 'skip',
        'TestFixtureSkipAll/Second': 'skip',
        'TestFixtureTimeout/NeverEnds': 'fail',
        'TestFixtureSetupError/NeverRuns': 'fail',
      });
    });

    it('keeps skip reasons, failure messages and probe logs', () => {
      expect(run.output('TestFixtureSkip/NotApplicable')).to.contain('parameter fixtureThing is not set');
      expect(run.output('TestFixtureSkipAll/Second')).to.contain('no fixture capability on this cluster');
      expect(run.output('TestFixtureFail/WrongValue')).to.contain("configmap value: expected 'yes' to equal 'no'");
      expect(run.output('TestFixtureTimeout/NeverEnds')).to.match(/Timeout of 1500ms exceeded/);
      expect(run.output('TestFixturePass/ReadsBack')).to.contain('configmap fixture created');
    });

    it('reports a setup failure as an error, not a failure', () => {
      expect(run.junit).to.match(
        /<testcase[^>]*name="TestFixtureSetupError\/NeverRuns"[^>]*>\s*<error[^>]*fixture setup cannot reach its dependency/,
      );
      expect(run.junit).to.not.match(/<failure[^>]*message="[^"]*parameter fixtureThing/);
    });

    it('writes the evidence files and an unsigned bundle beside them', () => {
      for (const f of [
        'junit.xml',
        'results.json',
        'e2e.log',
        'meta/run.json',
        'meta/profile.yaml',
        'meta/cluster.json',
      ]) {
        expect(existsSync(path.join(run.dir, f)), f).to.equal(true);
      }
      const bundles = readdirSync(path.dirname(run.dir)).filter((f) => f.endsWith('.tar.gz'));
      expect(bundles).to.have.length(1);
      expect(bundles[0]).to.contain(run.runId);
    });

    it('leaves no probe namespace behind, whatever the outcome', async () => {
      expect(await namespacesOf(run.runId)).to.deep.equal([]);
    });
  });

  describe('SIGINT during a probe', () => {
    let run: RunOutcome;
    before(async () => {
      run = await runFixture('runner-interrupt');
    });

    it('exits 4 and marks the run incomplete', () => {
      expect(run.code).to.equal(4);
      const meta = JSON.parse(readFileSync(path.join(run.dir, 'meta', 'run.json'), 'utf8')) as {
        run: { incomplete: boolean };
      };
      expect(meta.run.incomplete).to.equal(true);
    });

    it('reports the interrupted test as not passed, with the reason', () => {
      expect(run.actions.get('TestFixtureInterrupt/WaitsForever')).to.equal('fail');
      expect(run.output('TestFixtureInterrupt/WaitsForever')).to.contain('interrupted');
    });

    it('ran the cleanup stack: no namespace left', async () => {
      expect(await namespacesOf(run.runId)).to.deep.equal([]);
    });
  });

  describe('--fail-fast', () => {
    it('stops after the first failure and says the results are partial', async () => {
      const run = await runFixture('runner-failfast', { failFast: true });
      expect(run.code).to.equal(1);
      expect(run.actions.get('TestFixtureFailFastFirst/Fails')).to.equal('fail');
      expect(run.actions.has('TestFixtureFailFastSecond/MustNotRun')).to.equal(false);
      const meta = JSON.parse(readFileSync(path.join(run.dir, 'meta', 'run.json'), 'utf8')) as {
        run: { incomplete: boolean };
      };
      expect(meta.run.incomplete).to.equal(true);
    });
  });
});
