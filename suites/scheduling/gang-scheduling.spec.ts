/**
 * gang_scheduling (KAR-0053), after upstream TestGangScheduling: a gang of gangSize pods, one
 * accelerator each, is admitted as a whole and all its pods run at the same time; a gang asking for
 * more accelerators than the cluster (and the solution's quota) has gets no pod running and is not
 * admitted; after both are deleted their quota is released and a new gang is admitted. The
 * solution (Kueue, Volcano, coscheduling, Workload API) sits behind suites/scheduling/gang/.
 */
import { expect } from 'chai';
import type { Kube } from '../../src/kube/client.js';
import { matches, podsRunning } from '../../src/kube/conditions.js';
import { runLabels } from '../../src/kube/labels.js';
import { applyObjects } from '../../src/kube/manifest.js';
import { refOf, type KubeObject, type Node, type Pod } from '../../src/kube/objects.js';
import { expectNever, waitFor, WaitTimeoutError } from '../../src/kube/wait.js';
import { acceleratorFor } from '../../src/requirements/accelerators.js';
import { probe } from '../../src/runner/probe.js';
import {
  anyPodPlaced,
  GANG_LABEL,
  gangPodsTarget,
  type GangBackend,
  type GangPodSettings,
  type GangSpec,
} from './gang/backend.js';
import { describeCapacity, gangCapacity, oversizedGang, type GangCapacity } from './gang/capacity.js';
import { coschedulingBackend } from './gang/coscheduling.js';
import { chooseGangScheduler, servedGangApis, type GangChoice } from './gang/detect.js';
import { kueueBackend, readClusterQueue } from './gang/kueue.js';
import { volcanoBackend } from './gang/volcano.js';
import { workloadApiBackend } from './gang/workload-api.js';

interface Setup {
  backend: GangBackend;
  /** The solution's reserved accelerators before the first gang (Kueue). */
  baseline: number | undefined;
}

async function makeBackend(
  kube: Kube,
  choice: { id: string; apiVersion: string },
  s: GangPodSettings,
  cap: GangCapacity,
  params: { clusterQueue: string; schedulerName: string },
): Promise<GangBackend> {
  switch (choice.id) {
    case 'kueue': {
      const options = {
        apiVersion: choice.apiVersion,
        settings: s,
        clusterQueue: params.clusterQueue,
        capacity: cap.total,
        cpu: cap.cpu,
        memoryBytes: cap.memoryBytes,
      };
      if (params.clusterQueue === '') return kueueBackend(options);
      const existing = await readClusterQueue(kube, choice.apiVersion, params.clusterQueue);
      if (existing === undefined)
        expect.fail(
          `ClusterQueue ${params.clusterQueue} (parameter gangClusterQueue) does not exist; leave gangClusterQueue empty to let the probe create its own`,
        );
      return kueueBackend(options, existing);
    }
    case 'volcano':
      return volcanoBackend(s, params.schedulerName);
    case 'coscheduling':
      return coschedulingBackend(s, params.schedulerName);
    default:
      return workloadApiBackend(s, choice.apiVersion, params.schedulerName);
  }
}

probe('gang-scheduling', 'TestGangScheduling', (p) => {
  let choice: GangChoice;
  let capacity: GangCapacity;
  let setupReady: Promise<Setup> | undefined;
  /** Gangs created and not yet deleted, with their objects. */
  const live = new Map<string, KubeObject[]>();

  // Pods outlast every wait of the tests that watch them; Cleanup deletes them earlier.
  const durationSeconds = (): number => Math.ceil((3 * p.waitMs + p.negativeWindowMs) / 1000);

  /** Why every subtest skips (no solution, no accelerators); each subtest skips itself with it. */
  let notApplicable: string | undefined;

  before(async function () {
    choice = chooseGangScheduler(p.param('gangScheduler'), await servedGangApis(p.kube));
    if ('skip' in choice) {
      notApplicable = choice.skip;
      return;
    }
    if ('note' in choice) p.log(choice.note);
    const acc = acceleratorFor(p.params);
    capacity = gangCapacity(await p.list<Node>({ apiVersion: 'v1', kind: 'Node' }), acc);
    p.log(`capacity: ${describeCapacity(capacity)}`);
    if (capacity.total === 0) {
      notApplicable = `no usable node has allocatable ${acc.resource}: the gang's pods request accelerators (parameters accelerator, acceleratorResource)`;
    }
  });

  /** Creates the solution's objects once (queues) and records its quota use; later calls share the outcome. */
  function setup(mochaCtx: Mocha.Context): Promise<Setup> {
    if (notApplicable !== undefined) p.skip(mochaCtx, notApplicable);
    if ('fail' in choice) expect.fail(choice.fail);
    if ('skip' in choice) throw new Error('unreachable: skipped above');
    const chosen = choice;
    return (setupReady ??= (async () => {
      const acc = acceleratorFor(p.params);
      const settings: GangPodSettings = {
        namespace: p.namespace,
        resource: acc.resource,
        taintKey: acc.taintKey,
        image: p.param('probeImage'),
        durationSeconds: durationSeconds(),
      };
      const backend = await makeBackend(p.kube, chosen, settings, capacity, {
        clusterQueue: p.param('gangClusterQueue'),
        schedulerName: p.param('gangSchedulerName'),
      });
      p.log(`solution: ${backend.title}`);
      await applyObjects(p.kube, backend.setupObjects, {
        namespace: p.namespace,
        labels: runLabels(p.ctx.runId, p.id),
        cleanup: p.cleanup,
      });
      if (backend.ready !== undefined)
        await within(
          backend.ready.hint,
          waitFor(p.kube, backend.ready.target, backend.ready.condition, p.waitOptions()),
        );
      let baseline: number | undefined;
      if (backend.usage !== undefined) {
        baseline = backend.usage.read(await p.get(backend.usage.target));
        p.log(`${backend.usage.what} has ${String(baseline)} ${acc.resource} reserved before the first gang`);
      }
      return { backend, baseline };
    })());
  }

  /** A timeout gets the backend's explanation in front. */
  async function within<T>(hint: string, wait: Promise<T>): Promise<T> {
    try {
      return await wait;
    } catch (err) {
      if (err instanceof WaitTimeoutError) throw new Error(`${hint}; ${err.message}`, { cause: err });
      throw err;
    }
  }

  async function submit(backend: GangBackend, gang: GangSpec): Promise<void> {
    const objects = backend.gangObjects(gang);
    await applyObjects(p.kube, objects, {
      namespace: p.namespace,
      labels: runLabels(p.ctx.runId, p.id),
      cleanup: p.cleanup,
    });
    // The manifests name every object (the server's replies need not repeat apiVersion and kind).
    live.set(
      gang.name,
      objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: p.namespace } })),
    );
    p.log(
      `gang ${gang.name}: ${String(gang.pods)} pods × ${String(gang.perPod)} ${capacity.resource} submitted (${objects.map((o) => `${o.kind ?? '?'} ${o.metadata?.name ?? '?'}`).join(', ')})`,
    );
    const seen = await within(
      `${backend.unseenHint} (gang ${gang.name})`,
      waitFor(p.kube, backend.status(gang).target, backend.status(gang).seen, p.waitOptions()),
    );
    p.log(`taken up: ${seen}`);
  }

  /** Deletes every live gang (newest first) and waits until none of their pods is left. */
  async function deleteGangs(): Promise<void> {
    for (const [name, objects] of [...live.entries()].reverse()) {
      for (const obj of [...objects].reverse()) {
        await p.deleteIfPresent(refOf(obj));
      }
      live.delete(name);
      p.log(`gang ${name} deleted`);
    }
    const gone = matches<Pod[]>('to be gone', (pods) => pods.length === 0);
    await waitFor<Pod>(
      p.kube,
      { apiVersion: 'v1', kind: 'Pod', namespace: p.namespace, labelSelector: GANG_LABEL },
      gone,
      p.waitOptions(),
    );
  }

  /** Submits a gang of `size` one-accelerator pods and asserts it is admitted and runs all at once. */
  async function expectGangRuns(backend: GangBackend, gang: GangSpec): Promise<void> {
    await submit(backend, gang);
    const status = backend.status(gang);
    const admitted = await waitFor(p.kube, status.target, status.admitted, p.waitOptions());
    p.log(`admitted: ${admitted}`);
    const pods = await waitFor<Pod>(
      p.kube,
      gangPodsTarget(p.namespace, gang.name),
      podsRunning(gang.pods),
      p.waitOptions(),
    );
    const nodes = pods
      .filter((pod) => pod.status?.phase === 'Running')
      .map((pod) => `${pod.metadata?.name ?? '?'}@${pod.spec?.nodeName ?? '?'}`);
    p.log(`all ${String(gang.pods)} pods Running at one instant: ${nodes.join(', ')}`);
  }

  it('PositiveGangScheduling', async function () {
    const { backend } = await setup(this);
    const size = Number(p.params['gangSize']);
    if (size > capacity.total) {
      p.skip(
        this,
        `gangSize=${String(size)} exceeds the ${String(capacity.total)} ${capacity.resource} the cluster's usable nodes have: lower the gangSize parameter`,
      );
    }
    if (backend.quota !== undefined && size > backend.quota) {
      p.skip(
        this,
        `gangSize=${String(size)} exceeds the ${String(backend.quota)} ${capacity.resource} quota of the queue (parameters gangSize, gangClusterQueue)`,
      );
    }
    await expectGangRuns(backend, { name: 'gang-positive', pods: size, perPod: 1 });
  });

  it('NegativeGangScheduling', async function () {
    const { backend } = await setup(this);
    const big = oversizedGang(capacity, backend.quota);
    const quota = backend.quota === undefined ? '' : ` and the queue's quota of ${String(backend.quota)}`;
    p.log(
      `gang-oversized asks for ${String(big.pods)} × ${String(big.perPod)} = ${String(big.demand)} ${capacity.resource}: more than the cluster's ${String(capacity.total)}${quota}`,
    );
    const gang: GangSpec = { name: 'gang-oversized', pods: big.pods, perPod: big.perPod };
    await submit(backend, gang);
    const status = backend.status(gang);
    const window = {
      durationMs: p.negativeWindowMs,
      log: (l: string) => {
        p.log(l);
      },
      heartbeatMs: p.heartbeatMs,
    };
    const [placed, admitted] = await Promise.all([
      expectNever<Pod>(p.kube, gangPodsTarget(p.namespace, gang.name), anyPodPlaced, window),
      expectNever(p.kube, status.target, status.admitted, window),
    ]);
    expect(placed.met, `a gang that cannot fit got a pod placed: ${placed.summary}`).to.equal(false);
    expect(admitted.met, `a gang that cannot fit was admitted: ${admitted.summary}`).to.equal(false);
    p.log(placed.summary);
    p.log(admitted.summary);
    const held = await waitFor(p.kube, status.target, status.held, p.waitOptions());
    p.log(`held back: ${held}`);
  });

  it('Cleanup', async function () {
    const { backend, baseline } = await setup(this);
    await deleteGangs();
    p.log('no gang pod is left');
    if (backend.usage !== undefined && baseline !== undefined) {
      const usage = backend.usage;
      const released = matches<KubeObject | undefined>(
        `to have ${String(baseline)} ${capacity.resource} reserved again`,
        (obj) => usage.read(obj) === baseline,
        (obj) => `${String(usage.read(obj))} ${capacity.resource} reserved`,
      );
      await waitFor(p.kube, usage.target, released, p.waitOptions());
      p.log(`${usage.what} is back to ${String(baseline)} ${capacity.resource} reserved`);
    }
    const size = Math.min(2, capacity.total);
    if (size < 2)
      p.skip(
        this,
        `the cluster's usable nodes have ${String(capacity.total)} ${capacity.resource}, too few for a gang of 2 after cleanup (parameters accelerator, acceleratorResource)`,
      );
    await expectGangRuns(backend, { name: 'gang-after-cleanup', pods: size, perPod: 1 });
    await deleteGangs();
  });
});
