/**
 * cluster_autoscaling (KAR-0055), after upstream TestAcceleratorClusterAutoscaling: the accelerator
 * node pool named by `autoscalerNodePoolLabel` (opt-in: skipped when unset) has a stable baseline
 * of N Ready nodes with one accelerator each; N pods (one per node, under a PodDisruptionBudget)
 * fill it; one more pod must be reported Unschedulable, then the pool must grow and run it on a NEW
 * node while the baseline nodes stay; after it is deleted the pool must return to its baseline and
 * hold there. One subtest, ScaleUpAndDown, in the allocation mode the pool offers (DRA claims where
 * every pool node publishes devices of the DeviceClass, else the device plugin's extended resource;
 * `allocationMode` forces one), as upstream resolves one mode per run.
 */
import { expect } from 'chai';
import { deleted, matches, podRunning, podUnschedulable } from '../../src/kube/conditions.js';
import { isNotFound } from '../../src/kube/client.js';
import type { KubeObject, ListTarget, Node, Pod } from '../../src/kube/objects.js';
import { findCondition } from '../../src/kube/status-text.js';
import { expectNever, formatDuration, TerminalConditionError, waitFor, WaitTimeoutError } from '../../src/kube/wait.js';
import { durationMs } from '../../src/profiles/parameters.js';
import { acceleratorFor, type Accelerator } from '../../src/requirements/accelerators.js';
import { probe, ProbeError } from '../../src/runner/probe.js';
import { HOSTNAME_LABEL } from '../shared/accelerator-nodes.js';
import { podRef } from '../shared/accelerator-pods.js';
import { readDraFacts } from '../security/allocation-mode.js';
import {
  capacityProblem,
  choosePoolMode,
  describePool,
  foreignWorkloads,
  members,
  parsePoolLabel,
  poolNode,
  poolTolerations,
  sameMembers,
  type PoolLabel,
  type PoolNode,
  type PoolOffer,
  type Toleration,
} from './autoscaling/pool.js';

const CATEGORY = 'scheduling';
const ROLE_LABEL = 'ai-conformance.io/autoscaling-role';
/** How long the pool may take to show a stable baseline at all (upstream: 2 minutes). */
const BASELINE_TIMEOUT_MS = 2 * 60_000;

type Mode = 'device-plugin' | 'dra';

interface Timeouts {
  pendingMs: number;
  scaleUpMs: number;
  scaleDownMs: number;
  stabilityMs: number;
}

probe('cluster-autoscaling', 'TestAcceleratorClusterAutoscaling', (p) => {
  let label: PoolLabel;
  let acc: Accelerator;
  let t: Timeouts;
  let notApplicable: string | undefined;

  const poolTarget = (): ListTarget => ({ apiVersion: 'v1', kind: 'Node', labelSelector: label.selector });
  const toPool = (nodes: readonly Node[]): PoolNode[] => nodes.map((n) => poolNode(n, acc.resource));
  const readPool = async (): Promise<PoolNode[]> =>
    toPool(await p.list<Node>({ apiVersion: 'v1', kind: 'Node', labelSelector: label.selector }));
  const names = (nodes: readonly PoolNode[]): string => nodes.map((n) => n.name).join(', ');

  before(function () {
    const raw = p.param('autoscalerNodePoolLabel');
    if (raw.trim() === '') {
      notApplicable =
        'parameter autoscalerNodePoolLabel is not set: name the autoscaled accelerator node pool as key=value to probe cluster autoscaling';
      return;
    }
    const parsed = parsePoolLabel(raw);
    if (typeof parsed === 'string') throw new ProbeError(`parameter autoscalerNodePoolLabel: ${parsed}`);
    label = parsed;
    acc = acceleratorFor(p.params);
    t = {
      pendingMs: durationMs(p.params, 'autoscalerPendingTimeout'),
      scaleUpMs: durationMs(p.params, 'autoscalerScaleUpTimeout'),
      scaleDownMs: durationMs(p.params, 'autoscalerScaleDownTimeout'),
      stabilityMs: durationMs(p.params, 'autoscalerStabilityWindow'),
    };
    if (t.stabilityMs >= t.scaleDownMs)
      throw new ProbeError('parameter autoscalerStabilityWindow must be shorter than autoscalerScaleDownTimeout');
  });

  beforeEach(function () {
    if (notApplicable !== undefined) p.skip(this, notApplicable);
  });

  /** The whole cycle may take longer than probeTimeout: its own waits plus a margin. */
  function cycleTimeoutMs(): number {
    const own =
      Math.max(BASELINE_TIMEOUT_MS, 4 * t.stabilityMs) +
      3 * p.waitMs +
      t.pendingMs +
      t.scaleUpMs +
      t.scaleDownMs +
      2 * t.stabilityMs +
      60_000;
    return Math.max(durationMs(p.params, 'probeTimeout'), own);
  }

  /** A baseline that held for the stability window (upstream's waitForStablePoolSize). */
  async function stableBaseline(): Promise<PoolNode[]> {
    const deadline = Date.now() + Math.max(BASELINE_TIMEOUT_MS, 4 * t.stabilityMs);
    for (;;) {
      const now = members(await readPool());
      if (now.length === 0) throw new ProbeError(`no Ready, schedulable node carries the pool label ${label.selector}`);
      const changed = matches<Node[]>(
        `to change from ${names(now)}`,
        (nodes) => !sameMembers(members(toPool(nodes)), now),
        (nodes) => describePool(toPool(nodes)),
      );
      const seen = await expectNever<Node>(p.kube, poolTarget(), changed, {
        durationMs: t.stabilityMs,
        heartbeatMs: p.heartbeatMs,
      });
      if (!seen.met) return now;
      p.log(`pool changed while waiting for a stable baseline: ${seen.summary}`);
      if (Date.now() >= deadline)
        throw new ProbeError(
          `pool ${label.selector} did not hold one size for ${formatDuration(t.stabilityMs)} within ${formatDuration(Math.max(BASELINE_TIMEOUT_MS, 4 * t.stabilityMs))}: ${seen.summary}`,
        );
    }
  }

  /** The allocation mode for this pool (upstream's detectAllocationMode, on the pool's nodes). */
  async function chooseMode(mocha: Mocha.Context, baseline: readonly PoolNode[]): Promise<Mode> {
    const dra = await readDraFacts(p.kube, acc);
    const offer: PoolOffer = {
      resource: acc.resource,
      driver: dra.driver,
      deviceClass: acc.deviceClass,
      draDevices: new Map(dra.nodes.map((n) => [n.name, n.devices])),
    };
    if (!dra.served) offer.draUnavailable = 'the cluster does not serve resource.k8s.io/v1';
    else if (!dra.deviceClass) offer.draUnavailable = `DeviceClass ${acc.deviceClass} does not exist`;
    const requested = p.param('allocationMode') as 'auto' | Mode;
    const choice = choosePoolMode(requested, baseline, offer, label.selector);
    if ('skip' in choice) return p.skip(mocha, choice.skip);
    if ('unfit' in choice) throw new ProbeError(choice.unfit);
    p.log(`allocation mode: ${choice.mode}${choice.note === undefined ? '' : ` (${choice.note})`}`);
    return choice.mode;
  }

  async function ensureIdle(baseline: readonly PoolNode[], mode: Mode): Promise<void> {
    const pods = await p.list<Pod>({
      apiVersion: 'v1',
      kind: 'Pod',
      fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
    });
    const foreign = foreignWorkloads(pods, baseline, label, acc.resource, p.namespace, mode === 'dra');
    if (foreign.length > 0)
      throw new ProbeError(`the pool ${label.selector} is not idle; other workloads: ${foreign.join(', ')}`);
  }

  async function createPod(
    mode: Mode,
    name: string,
    role: string,
    tolerations: Toleration[],
    apart: boolean,
  ): Promise<void> {
    const file = mode === 'dra' ? 'autoscaling-pod-dra.yaml' : 'autoscaling-pod.yaml';
    const params = {
      name,
      role,
      poolKey: label.key,
      poolValue: label.value,
      probeImage: p.param('probeImage'),
      resource: acc.resource,
    };
    await p.create(CATEGORY, file, params, (obj: KubeObject) => {
      const spec = obj.spec as Record<string, unknown>;
      spec.tolerations = tolerations;
      if (apart) {
        spec.affinity = {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { labelSelector: { matchLabels: { [ROLE_LABEL]: role } }, topologyKey: HOSTNAME_LABEL },
            ],
          },
        };
      }
    });
  }

  async function deletePod(name: string): Promise<void> {
    try {
      await p.kube.objects.delete({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: p.namespace } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await waitFor(p.kube, podRef(p.namespace, name), deleted, p.waitOptions(p.waitMs));
  }

  async function cycle(mocha: Mocha.Context): Promise<void> {
    const baseline = await stableBaseline();
    p.log(`baseline of ${label.selector}: ${describePool(baseline)}, stable for ${formatDuration(t.stabilityMs)}`);
    const mode = await chooseMode(mocha, baseline);
    const prefix = mode === 'dra' ? 'dra' : 'dp';
    await ensureIdle(baseline, mode);
    const tolerations = poolTolerations(baseline, acc.taintKey);
    p.log(
      `probe pods tolerate: ${tolerations.map((x) => `${x.key}${x.value === undefined ? '' : `=${x.value}`}${x.effect === undefined ? '' : `:${x.effect}`}`).join(', ')}`,
    );

    // Fill: one accelerator pod on every baseline node, none of them disruptable.
    if (mode === 'dra') await p.create(CATEGORY, 'autoscaling-claim-template.yaml', { deviceClass: acc.deviceClass });
    const role = `${prefix}-baseline`;
    await p.create(CATEGORY, 'autoscaling-pdb.yaml', { role, count: baseline.length });
    const fillers = baseline.map((_, i) => `${prefix}-baseline-${String(i)}`);
    for (const name of fillers) await createPod(mode, name, role, tolerations, true);
    const running = await Promise.all(
      fillers.map((name) =>
        waitFor<Pod>(p.kube, podRef(p.namespace, name), podRunning, p.waitOptions(p.waitMs)).catch((err: unknown) => {
          throw new ProbeError(`baseline pod ${name} did not start: ${(err as Error).message}`, { cause: err });
        }),
      ),
    );
    const placed = running.map((pod) => pod.spec?.nodeName ?? '');
    const outside = placed.filter((n) => !baseline.some((b) => b.name === n));
    if (outside.length > 0 || new Set(placed).size !== baseline.length)
      throw new ProbeError(
        `baseline pods must take one baseline node each, but ran on ${placed.join(', ')} (baseline ${names(baseline)})`,
      );
    if (!sameMembers(members(await readPool()), baseline))
      throw new ProbeError(`pool membership changed while the baseline was filled: ${describePool(await readPool())}`);
    await ensureIdle(baseline, mode);
    p.log(
      `baseline filled: ${String(baseline.length)} accelerator pods on ${String(baseline.length)} distinct pool nodes, PodDisruptionBudget minAvailable=${String(baseline.length)}`,
    );

    // Trigger: one more pod, which only a new node can take.
    const trigger = `${prefix}-trigger`;
    await createPod(mode, trigger, `${prefix}-trigger`, tolerations, false);
    let pending: Pod;
    try {
      pending = await waitFor<Pod>(p.kube, podRef(p.namespace, trigger), podUnschedulable, p.waitOptions(t.pendingMs));
    } catch (err) {
      if (err instanceof WaitTimeoutError || err instanceof TerminalConditionError)
        expect.fail(`the scale-up trigger pod was not reported Unschedulable: ${err.message}`);
      throw err;
    }
    const why = findCondition(pending, 'PodScheduled')?.message ?? '';
    if (mode === 'device-plugin')
      expect(why, `the trigger pod was Unschedulable for a reason unrelated to ${acc.resource}: ${why}`).to.contain(
        acc.resource,
      );
    p.log(`trigger ${trigger} Unschedulable: ${why}`);

    // Scale-up: the trigger runs on a node that was not in the baseline.
    const asked = Date.now();
    let started: Pod;
    try {
      started = await waitFor<Pod>(p.kube, podRef(p.namespace, trigger), podRunning, p.waitOptions(t.scaleUpMs));
    } catch (err) {
      if (err instanceof WaitTimeoutError)
        expect.fail(
          `pool ${label.selector} did not grow within ${formatDuration(t.scaleUpMs)} to run the trigger pod: pool now ${describePool(await readPool())}; trigger last seen: ${err.lastSeen}`,
        );
      throw err;
    }
    const after = await readPool();
    const node = after.find((n) => n.name === started.spec?.nodeName);
    const lost = baseline.filter((b) => !members(after).some((n) => n.name === b.name && n.uid === b.uid));
    expect(
      lost.map((n) => n.name),
      `baseline nodes changed or stopped being Ready during scale-up: ${describePool(after)}`,
    ).to.deep.equal([]);
    expect(
      node,
      `the trigger pod runs on ${started.spec?.nodeName ?? '?'}, which is not in the pool ${label.selector}`,
    ).to.not.equal(undefined);
    const scaled = node as PoolNode;
    expect(
      baseline.some((b) => b.uid === scaled.uid),
      `the trigger pod runs on baseline node ${scaled.name}: the pool's accelerators were not exhausted`,
    ).to.equal(false);
    if (mode === 'device-plugin') {
      const problem = capacityProblem([scaled], acc.resource);
      expect(problem, `the new node breaks the pool's accelerator contract: ${problem ?? ''}`).to.equal(undefined);
    }
    p.log(
      `pool grew from ${String(baseline.length)} to ${String(members(after).length)} nodes in ${formatDuration(Date.now() - asked)}; trigger Running on new node ${scaled.name}`,
    );

    // Scale-down: without the trigger the pool returns to its baseline and stays there.
    await deletePod(trigger);
    const released = Date.now();
    const atBaseline = (nodes: readonly Node[]): boolean => {
      const pool = toPool(nodes);
      return sameMembers(members(pool), baseline) && !pool.some((n) => n.uid === scaled.uid && n.ready);
    };
    const back = matches<Node[]>(
      `to return to the baseline ${names(baseline)} (new node ${scaled.name} gone or not Ready)`,
      atBaseline,
      (nodes) => describePool(toPool(nodes)),
    );
    const left = matches<Node[]>(
      `to leave the baseline ${names(baseline)}`,
      (nodes) => !atBaseline(nodes),
      (nodes) => describePool(toPool(nodes)),
    );
    const deadline = released + t.scaleDownMs;
    for (;;) {
      try {
        await waitFor<Node>(p.kube, poolTarget(), back, p.waitOptions(Math.max(1000, deadline - Date.now())));
      } catch (err) {
        if (err instanceof WaitTimeoutError)
          expect.fail(
            `pool ${label.selector} did not return to its baseline of ${String(baseline.length)} nodes within ${formatDuration(t.scaleDownMs)}: last seen ${err.lastSeen}`,
          );
        throw err;
      }
      const reached = Date.now() - released;
      const held = await expectNever<Node>(p.kube, poolTarget(), left, { durationMs: t.stabilityMs });
      if (!held.met) {
        p.log(
          `pool back to its baseline of ${String(baseline.length)} nodes ${formatDuration(reached)} after the trigger was deleted; held for ${formatDuration(t.stabilityMs)}`,
        );
        return;
      }
      p.log(`pool left its baseline again: ${held.summary}`);
      if (Date.now() >= deadline)
        expect.fail(
          `pool ${label.selector} did not hold its baseline of ${String(baseline.length)} nodes for ${formatDuration(t.stabilityMs)} within ${formatDuration(t.scaleDownMs)}: ${held.summary}`,
        );
    }
  }

  it('ScaleUpAndDown', async function () {
    this.timeout(cycleTimeoutMs());
    await cycle(this);
  });
});
