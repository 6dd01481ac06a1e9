// TestGangScheduling on the test cluster (Kueue), through the real CLI: passes on the healthy
// cluster and leaves no queue behind; with Kueue stopped every subtest fails saying so; a profile
// naming Volcano fails saying Volcano's API is not served; gangScheduler=none skips.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { managedSelector, RUN_LABEL } from '../../../src/kube/labels.js';
import { requireCluster, testKube } from '../cluster.js';
import { clusterVariant, type CliRun } from '../run-cli.js';
import { elapsedSeconds, explain, runProfile, subtests } from './probe-run.js';

const TEST = 'TestGangScheduling';
const SUBTESTS = ['PositiveGangScheduling', 'NegativeGangScheduling', 'Cleanup'];
const all = (action: string): Record<string, string> => Object.fromEntries(SUBTESTS.map((s) => [s, action]));

function runIdOf(run: CliRun): string {
  return (JSON.parse(readFileSync(path.join(run.dir, 'meta', 'run.json'), 'utf8')) as { run: { runId: string } }).run
    .runId;
}

describe('probe gang-scheduling (TestGangScheduling) on the test cluster', function () {
  this.timeout(20 * 60_000);
  before(requireCluster);

  describe('healthy cluster (Kueue detected)', () => {
    let run: CliRun;
    before(async () => {
      run = await runProfile('gang-scheduling');
      console.log(`      ${TEST} wall time: ${String(elapsedSeconds(run, TEST))}s`);
    });

    it('exits 0 with every subtest passed', () => {
      expect(subtests(run, TEST), explain(run)).to.deep.equal(all('pass'));
      expect(run.code, explain(run)).to.equal(0);
    });

    it('admitted the gang of 4 as one Workload and saw all 4 pods Running at once', () => {
      const out = run.output(`${TEST}/PositiveGangScheduling`);
      expect(out).to.contain('gangScheduler=auto: detected Kueue (kueue.x-k8s.io/v1beta1)');
      expect(out).to.contain('capacity: 24 nvidia.com/gpu on 4 nodes (at most 8 on one)');
      expect(out).to.match(
        /solution: Kueue \(kueue\.x-k8s\.io\/v1beta1\), own ClusterQueue aic-gang-scheduling-\w+ \(24 nvidia\.com\/gpu\)/,
      );
      expect(out).to.match(/admitted: Workload \S+: .*Admitted=True.*pod sets admitted: main=4/);
      expect(out).to.match(/all 4 pods Running at one instant: (gang-positive-\S+@gpu-\S+(, )?){4}/);
    });

    it('held back the oversized gang on quota, with no pod placed', () => {
      const out = run.output(`${TEST}/NegativeGangScheduling`);
      expect(out).to.contain(
        "gang-oversized asks for 4 × 8 = 32 nvidia.com/gpu: more than the cluster's 24 and the queue's quota of 24",
      );
      expect(out).to.match(
        /never saw pods in \S+ with ai-conformance\.io\/gang=gang-oversized to have a pod bound to a node or Running/,
      );
      expect(out).to.match(/held back: Workload \S+: .*QuotaReserved=False/);
    });

    it('saw the quota released and a new gang admitted', () => {
      const out = run.output(`${TEST}/Cleanup`);
      expect(out).to.match(/ClusterQueue aic-gang-scheduling-\w+ is back to 0 nvidia\.com\/gpu reserved/);
      expect(out).to.match(/all 2 pods Running at one instant/);
    });

    it('left no ClusterQueue, ResourceFlavor or namespace of the run behind', async () => {
      const kube = testKube();
      const selector = `${managedSelector()},${RUN_LABEL}=${runIdOf(run)}`;
      for (const plural of ['clusterqueues', 'resourceflavors']) {
        const list = await kube.getJson<{ items: unknown[] }>(`/apis/kueue.x-k8s.io/v1beta1/${plural}`, {
          labelSelector: selector,
        });
        expect(list.items, plural).to.have.length(0);
      }
      const namespaces = await kube.core.listNamespace({ labelSelector: selector });
      expect(namespaces.items.map((n) => n.metadata?.name)).to.deep.equal([]);
    });
  });

  describe('variant kueue-stopped', () => {
    let run: CliRun;
    before(async () => {
      await clusterVariant('kueue-stopped', 'on');
      try {
        // A short wait keeps the variant window (which every engineer's tests share) brief.
        run = await runProfile('gang-scheduling', ['--set', 'waitTimeout=20s']);
      } finally {
        await clusterVariant('kueue-stopped', 'off');
      }
    });

    it('fails every subtest saying Kueue never took up its queue', () => {
      expect(subtests(run, TEST), explain(run)).to.deep.equal(all('fail'));
      for (const s of SUBTESTS) {
        expect(run.output(`${TEST}/${s}`)).to.match(
          /Kueue never marked ClusterQueue aic-gang-scheduling-\w+ Active: is the Kueue controller \(v1beta1\) running\?/,
        );
      }
      expect(run.code, explain(run)).to.equal(1);
    });
  });

  describe('gangScheduler=volcano on this Kueue-only cluster', () => {
    let run: CliRun;
    before(async () => {
      run = await runProfile('gang-scheduling', ['--set', 'gangScheduler=volcano']);
    });

    it('fails every subtest: the profile names a solution whose API the cluster does not serve', () => {
      expect(subtests(run, TEST), explain(run)).to.deep.equal(all('fail'));
      for (const s of SUBTESTS) {
        expect(run.output(`${TEST}/${s}`)).to.contain(
          "gangScheduler=volcano, but the cluster does not serve Volcano's API (scheduling.volcano.sh/v1beta1 PodGroup): Volcano is not installed; the cluster serves kueue (kueue.x-k8s.io/v1beta1)",
        );
      }
      expect(run.code, explain(run)).to.equal(1);
    });
  });

  describe('gangScheduler=none', () => {
    let run: CliRun;
    before(async () => {
      run = await runProfile('gang-scheduling', ['--set', 'gangScheduler=none']);
    });

    it('skips every subtest naming the parameter, and exits 0', () => {
      expect(subtests(run, TEST), explain(run)).to.deep.equal(all('skip'));
      expect(run.output(`${TEST}/PositiveGangScheduling`)).to.contain(
        'gangScheduler=none: the profile declares no gang scheduling solution',
      );
      expect(run.code, explain(run)).to.equal(0);
    });
  });
});
