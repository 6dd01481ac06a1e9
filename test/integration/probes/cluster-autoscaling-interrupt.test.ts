// Ctrl-C in the middle of TestAcceleratorClusterAutoscaling's scale-up, on the test cluster: the
// CLI gets SIGINT once the trigger pod is reported Unschedulable and Karpenter has created a
// NodeClaim for it. The run must exit 4 with the test not passed and the run marked incomplete, leave
// no pod, PodDisruptionBudget or namespace of the run, and the autoscaler must take the pool back to
// its baseline by itself (the node it added for the trigger is empty once the trigger is gone).
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { requireCluster, testKube, testKubeconfig } from '../cluster.js';
import { runCli, type CliRun } from '../run-cli.js';
import { explain } from './probe-run.js';

const TEST = 'TestAcceleratorClusterAutoscaling';
const POOL = 'ai-conformance.io/node-pool=gpu-autoscaled';
const RUN_LABEL = 'ai-conformance.io/run';

interface Obj {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  status?: { conditions?: { type?: string; status?: string; reason?: string }[] };
}
interface Listed {
  items?: Obj[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function names(apiPath: string, labelSelector: string): Promise<string[]> {
  const list = await testKube().getJson<Listed>(apiPath, { labelSelector });
  return (list.items ?? []).map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`);
}

/** Karpenter's NodeClaims of the burst NodePool (the node it launches for the trigger). */
function burstClaims(): Promise<string[]> {
  return names('/apis/karpenter.sh/v1/nodeclaims', 'karpenter.sh/nodepool=aic-gpu-burst');
}

/** The scale-up trigger pod of any run, once the scheduler has reported it Unschedulable. */
async function unschedulableTrigger(): Promise<Obj | undefined> {
  const list = await testKube().getJson<Listed>('/api/v1/pods', { labelSelector: RUN_LABEL });
  return (list.items ?? []).find(
    (p) =>
      (p.metadata?.name ?? '').endsWith('-trigger') &&
      (p.status?.conditions ?? []).some(
        (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
      ),
  );
}

describe('probe cluster-autoscaling: SIGINT mid scale-up on the test cluster', function () {
  this.timeout(10 * 60_000);
  before(requireCluster);

  let r: CliRun;
  let runId = '';
  let signalled = '';
  let poolBackMs = -1;

  before(async () => {
    let child: ChildProcess | undefined;
    const done = runCli(
      [
        'run',
        '--profile',
        'reference-cluster',
        '--kubeconfig',
        testKubeconfig(),
        '--focus',
        `^${TEST}`,
        '--set',
        'autoscalerScaleUpTimeout=2m',
      ],
      { timeoutMs: 8 * 60_000, onSpawn: (c) => (child = c) },
    );
    const cli = { finished: false };
    void done.then(() => (cli.finished = true));
    const until = Date.now() + 4 * 60_000;
    while (!cli.finished && Date.now() < until) {
      // Mid scale-up: the trigger is pending and the autoscaler has claimed a node for it.
      const trigger = await unschedulableTrigger();
      if (trigger && (await burstClaims()).length > 0) {
        runId = trigger.metadata?.labels?.[RUN_LABEL] ?? '';
        signalled = trigger.metadata?.name ?? '';
        child?.kill('SIGINT');
        break;
      }
      await sleep(100);
    }
    r = await done;
    // The autoscaler, not the probe, removes the node it added: give it up to 2 minutes.
    const since = Date.now();
    while (Date.now() - since < 2 * 60_000) {
      const nodes = await names('/api/v1/nodes', POOL);
      if (nodes.length === 1 && (await burstClaims()).length === 0) {
        poolBackMs = Date.now() - since;
        break;
      }
      await sleep(1000);
    }
  });

  it('was interrupted while the trigger pod was pending and a node was being claimed for it', () => {
    expect(signalled, explain(r)).to.match(/-trigger$/);
  });

  it('exits 4, the test not passed and the run marked incomplete', () => {
    expect(r.code, explain(r)).to.equal(4);
    expect(r.actions.get(`${TEST}/ScaleUpAndDown`), explain(r)).to.equal('fail');
    expect(r.output(`${TEST}/ScaleUpAndDown`)).to.contain('interrupted');
    const meta = JSON.parse(readFileSync(path.join(r.dir, 'meta', 'run.json'), 'utf8')) as {
      run: { runId: string; incomplete: boolean };
    };
    expect(meta.run.runId).to.equal(runId);
    expect(meta.run.incomplete).to.equal(true);
  });

  it('left no pod, PodDisruptionBudget or namespace of the run', async () => {
    const sel = `${RUN_LABEL}=${runId}`;
    expect(await names('/api/v1/pods', sel)).to.deep.equal([]);
    expect(await names('/apis/policy/v1/poddisruptionbudgets', sel)).to.deep.equal([]);
    expect(await names('/api/v1/namespaces', sel)).to.deep.equal([]);
  });

  it('the autoscaler took the pool back to its baseline node, with no node claim left', () => {
    console.log(`      pool back to 1 node ${String(poolBackMs)} ms after the run exited`);
    expect(poolBackMs, 'pool still has an extra node or a burst NodeClaim 2 minutes after the run').to.be.at.least(0);
  });
});
