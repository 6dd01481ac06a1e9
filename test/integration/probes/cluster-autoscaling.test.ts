// TestAcceleratorClusterAutoscaling on the test cluster, through the real CLI. The autoscaler is
// Karpenter's kwok provider (a host process): a static NodePool keeps the pool's one baseline node,
// a burst NodePool adds a 1-GPU node for the pending trigger pod and removes it 5 s after it is
// empty; kwok-controller plays the nodes' kubelet. Passes on the healthy cluster (device-plugin
// mode: the pool's nodes publish no DRA devices), fails naming the timeout with the autoscaler
// stopped, skips with the reason when no pool is named, and leaves no pod or extra node behind.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { requireCluster, testKube } from '../cluster.js';
import type { CliRun } from '../run-cli.js';
import { elapsedSeconds, explain, inVariant, runProfile, subtests } from './probe-run.js';

const TEST = 'TestAcceleratorClusterAutoscaling';
const POOL = 'ai-conformance.io/node-pool=gpu-autoscaled';
/** The test cluster's short timeouts (upstream's defaults are 2m, 20m, 30m and 30s). */
const SHORT = [
  `autoscalerNodePoolLabel=${POOL}`,
  'autoscalerPendingTimeout=30s',
  'autoscalerScaleUpTimeout=2m',
  'autoscalerScaleDownTimeout=3m',
  'autoscalerStabilityWindow=10s',
];

function run(sets: string[]): Promise<CliRun> {
  return runProfile('full', ['--focus', `^${TEST}`, ...sets.flatMap((s) => ['--set', s])]);
}

interface Listed {
  items?: { metadata?: { name?: string } }[];
}

async function poolNodes(): Promise<string[]> {
  const list = await testKube().getJson<Listed>('/api/v1/nodes', { labelSelector: POOL });
  return (list.items ?? []).map((n) => n.metadata?.name ?? '');
}

/** Pods of the run (by its run label, from meta/run.json). */
async function leftoverPods(r: CliRun): Promise<string[]> {
  const {
    run: { runId },
  } = JSON.parse(readFileSync(path.join(r.dir, 'meta', 'run.json'), 'utf8')) as { run: { runId: string } };
  const list = await testKube().getJson<Listed>('/api/v1/pods', { labelSelector: `ai-conformance.io/run=${runId}` });
  return (list.items ?? []).map((p) => p.metadata?.name ?? '');
}

describe('probe cluster-autoscaling (TestAcceleratorClusterAutoscaling) on the test cluster', function () {
  this.timeout(15 * 60_000);
  before(requireCluster);

  describe('healthy cluster, pool label and short timeouts set', () => {
    let r: CliRun;
    before(async () => {
      r = await run(SHORT);
      console.log(`      ${TEST} wall time: ${String(elapsedSeconds(r, TEST))}s`);
    });

    it('exits 0 with ScaleUpAndDown passed', () => {
      expect(subtests(r, TEST), explain(r)).to.deep.equal({ ScaleUpAndDown: 'pass' });
      expect(r.code, explain(r)).to.equal(0);
    });

    it('ran in device-plugin mode, saying why DRA was not probed', () => {
      expect(r.output(`${TEST}/ScaleUpAndDown`)).to.match(
        /allocation mode: device-plugin \(DRA mode not probed: no ResourceSlice publishes devices of driver gpu\.nvidia\.com/,
      );
    });

    it('saw the trigger Unschedulable for the GPU, a new node run it, and the pool return to its baseline', () => {
      const out = r.output(`${TEST}/ScaleUpAndDown`);
      expect(out).to.match(
        /baseline of ai-conformance\.io\/node-pool=gpu-autoscaled: 1 Ready and schedulable: kwok-aic-gpu-baseline-/,
      );
      expect(out).to.match(/trigger dp-trigger Unschedulable: .*Insufficient nvidia\.com\/gpu/);
      expect(out).to.match(/pool grew from 1 to 2 nodes in \S+; trigger Running on new node kwok-aic-gpu-burst-/);
      expect(out).to.match(/pool back to its baseline of 1 nodes \S+ after the trigger was deleted; held for 10s/);
    });

    it('left no probe pod and no extra node', async () => {
      expect(await leftoverPods(r)).to.deep.equal([]);
      expect(await poolNodes()).to.have.length(1);
    });
  });

  describe('no pool named (autoscalerNodePoolLabel unset)', () => {
    let r: CliRun;
    before(async () => {
      r = await run([]);
    });

    it('skips with the reason naming the parameter, and exits 0', () => {
      expect(subtests(r, TEST), explain(r)).to.deep.equal({ ScaleUpAndDown: 'skip' });
      expect(r.output(`${TEST}/ScaleUpAndDown`)).to.contain(
        'parameter autoscalerNodePoolLabel is not set: name the autoscaled accelerator node pool as key=value',
      );
      expect(r.code, explain(r)).to.equal(0);
    });
  });

  describe('variant autoscaler-stopped', () => {
    let r: CliRun;
    inVariant('autoscaler-stopped', async () => {
      r = await run(SHORT.map((s) => (s.startsWith('autoscalerScaleUpTimeout=') ? 'autoscalerScaleUpTimeout=30s' : s)));
    });

    it('fails ScaleUpAndDown: the pool did not grow within the timeout, the trigger left Unschedulable', () => {
      expect(subtests(r, TEST), explain(r)).to.deep.equal({ ScaleUpAndDown: 'fail' });
      expect(r.output(`${TEST}/ScaleUpAndDown`)).to.match(
        /pool ai-conformance\.io\/node-pool=gpu-autoscaled did not grow within 30s to run the trigger pod: pool now 1 Ready and schedulable: .*trigger last seen: phase=Pending, PodScheduled=False \(Unschedulable: .*Insufficient nvidia\.com\/gpu/,
      );
      expect(r.code, explain(r)).to.equal(1);
    });

    it('left no probe pod and no extra node', async () => {
      expect(await leftoverPods(r)).to.deep.equal([]);
      expect(await poolNodes()).to.have.length(1);
    });
  });
});
