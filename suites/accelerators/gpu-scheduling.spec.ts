/**
 * gpu_scheduling: accelerators offered as a device plugin's extended resource are scheduled by
 * count. A pod asking for N lands on a node with at least N allocatable; a node selector on the
 * product label is honoured; a request larger than any node stays Pending with an "Insufficient"
 * event; pods filling a node never overcommit it. Vendor neutral through the accelerator table.
 */
import { expect } from 'chai';
import { podScheduled } from '../../src/kube/conditions.js';
import { eventSeen, eventsTarget } from '../../src/kube/events.js';
import { parseQuantity } from '../../src/kube/fingerprint.js';
import type { Node, Pod } from '../../src/kube/objects.js';
import { expectNever, waitFor, type NeverResult } from '../../src/kube/wait.js';
import { acceleratorFor, type Accelerator } from '../../src/requirements/accelerators.js';
import { probe, ProbeError, type ProbeHandle } from '../../src/runner/probe.js';
import {
  chooseProduct,
  chooseRequestSize,
  describeUnusable,
  HOSTNAME_LABEL,
  isFinished,
  planFill,
  podRequest,
  readAcceleratorNodes,
  usable,
  type AcceleratorNode,
} from '../shared/accelerator-nodes.js';
import { podParams, podPlacedOrUnschedulable, podRef, podStarted } from '../shared/accelerator-pods.js';

const CATEGORY = 'accelerators';
/** How long the placement pods hold their accelerators: long enough to be seen Running. */
const SHORT_SECONDS = 2;

probe('gpu-scheduling', 'TestGPUScheduling', (p) => {
  let acc: Accelerator;
  let notApplicable: string | undefined;

  before(async function () {
    acc = acceleratorFor(p.params);
    const nodes = await readAcceleratorNodes(p.kube, acc);
    const advertising = nodes.filter((n) => n.allocatable > 0);
    if (advertising.length === 0) {
      notApplicable = `no node advertises ${acc.resource} allocatable; set accelerator/acceleratorResource`;
      return;
    }
    if (usable(advertising).length === 0) {
      throw new ProbeError(
        `${String(advertising.length)} nodes advertise ${acc.resource} allocatable, but a probe pod can use none of them: ${describeUnusable(advertising)}`,
      );
    }
    p.log(
      `${acc.resource} allocatable (free): ${advertising.map((n) => `${n.name} ${String(n.allocatable)} (${String(n.free)})`).join(', ')}`,
    );
  });

  // Skipping per test (not from `before`) gives every subtest its reason.
  beforeEach(function () {
    if (notApplicable !== undefined) p.skip(this, notApplicable);
  });

  it('RequestLandsOnCapableNode', async function () {
    const nodes = await readAcceleratorNodes(p.kube, acc);
    const n = chooseRequestSize(nodes);
    const pod = await startPod(p, acc, 'gpu-pod.yaml', { name: 'capable', count: n });
    const node = await readNode(p, pod);
    const allocatable = parseQuantity(node.status?.allocatable?.[acc.resource] ?? '0') ?? 0;
    p.log(`pod asking for ${String(n)} ${acc.resource} runs on ${nodeName(pod)} (allocatable ${String(allocatable)})`);
    expect(
      allocatable,
      `pod asking for ${String(n)} ${acc.resource} was placed on node ${nodeName(pod)}, whose allocatable ${acc.resource} is ${String(allocatable)}`,
    ).to.be.at.least(n);
  });

  it('NodeSelectorOnProductHonoured', async function () {
    const nodes = await readAcceleratorNodes(p.kube, acc);
    const choice = chooseProduct(nodes);
    if (choice === undefined) {
      const labelled = nodes.some((n) => n.allocatable > 0 && n.product !== undefined);
      return p.skip(
        this,
        labelled
          ? `no node carrying the product label ${acc.productLabel} has a free ${acc.resource}`
          : `no node with ${acc.resource} carries the product label ${acc.productLabel}; set acceleratorProductLabel`,
      );
    }
    const products = new Set(nodes.filter((n) => n.product !== undefined && n.allocatable > 0).map((n) => n.product));
    p.log(
      `selecting ${acc.productLabel}=${choice.product} (nodes ${choice.nodes.join(', ')}; products present: ${[...products].join(', ')})`,
    );
    const pod = await startPod(p, acc, 'gpu-pod-on.yaml', {
      name: 'on-product',
      count: 1,
      selectorKey: acc.productLabel,
      selectorValue: choice.product,
    });
    const node = await readNode(p, pod);
    const landed = node.metadata?.labels?.[acc.productLabel];
    p.log(
      `pod with nodeSelector ${acc.productLabel}=${choice.product} runs on ${nodeName(pod)} (${acc.productLabel}=${landed ?? 'absent'})`,
    );
    expect(
      landed,
      `pod with nodeSelector ${acc.productLabel}=${choice.product} was placed on node ${nodeName(pod)}, whose ${acc.productLabel} is ${landed ?? 'absent'}`,
    ).to.equal(choice.product);
  });

  it('OversizedRequestStaysPending', async function () {
    const nodes = await readAcceleratorNodes(p.kube, acc);
    const largest = Math.max(...nodes.map((n) => n.allocatable));
    const n = largest + 1;
    const [pod] = await p.create(CATEGORY, 'gpu-pod.yaml', {
      ...podParams(p, acc, 'oversized', SHORT_SECONDS),
      resource: acc.resource,
      count: n,
    });
    const ref = podRef(p.namespace, pod?.metadata?.name ?? 'oversized');
    const { never, event } = await watchPending(p, ref, pod?.metadata?.uid, acc);
    p.log(never.summary);
    expect(
      never.met,
      `pod asking for ${String(n)} ${acc.resource} (more than any node's ${String(largest)}) was scheduled: ${never.summary}`,
    ).to.equal(false);
    p.log(`event: ${event}`);
  });

  it('NoOvercommit', async function () {
    const nodes = await readAcceleratorNodes(p.kube, acc);
    const plan = planFill(nodes);
    if (plan === undefined) throw new ProbeError(`no usable node has a free ${acc.resource} to fill`);
    const target = plan.node;
    // The fillers must outlast every wait below, or the extra pod could rightly take their place.
    const holdSeconds = Math.ceil((p.waitMs * plan.sizes.length + p.negativeWindowMs) / 1000) + 60;
    p.log(
      `filling node ${target.name} (${acc.resource} allocatable ${String(target.allocatable)}, free ${String(target.free)}) with pods of ${plan.sizes.join(' + ')}`,
    );
    const fillers: string[] = [];
    for (const [i, size] of plan.sizes.entries()) {
      const name = `filler-${String(i)}`;
      await p.create(CATEGORY, 'gpu-pod-on.yaml', {
        ...podParams(p, acc, name, holdSeconds),
        resource: acc.resource,
        count: size,
        selectorKey: HOSTNAME_LABEL,
        selectorValue: target.hostname,
      });
      const placed = await waitFor(p.kube, podRef(p.namespace, name), podPlacedOrUnschedulable, p.waitOptions());
      if (placed.spec?.nodeName === undefined) {
        throw new ProbeError(
          `could not fill node ${target.name}: ${name} (${String(size)} ${acc.resource}) was not placed although the node had ${String(target.free)} free; another workload may have taken some meanwhile (${describeScheduling(placed)})`,
        );
      }
      fillers.push(name);
    }
    const [extra] = await p.create(CATEGORY, 'gpu-pod-on.yaml', {
      ...podParams(p, acc, 'extra', SHORT_SECONDS),
      resource: acc.resource,
      count: 1,
      selectorKey: HOSTNAME_LABEL,
      selectorValue: target.hostname,
    });
    const { never, event } = await watchPending(p, podRef(p.namespace, 'extra'), extra?.metadata?.uid, acc);
    p.log(never.summary);
    const usage = await nodeUsage(p, target, acc);
    p.log(`node ${target.name}: ${usage.text}`);
    if (never.met) {
      const finished = await finishedFillers(p, fillers);
      if (finished.length > 0)
        throw new ProbeError(
          `filler pods ${finished.join(', ')} ended before the window did, so the extra pod could rightly take their place; cannot judge`,
        );
    }
    expect(usage.requested, `node ${target.name} is overcommitted: ${usage.text}`).to.be.at.most(target.allocatable);
    expect(
      never.met,
      `node ${target.name} was full, yet the extra pod asking for 1 ${acc.resource} was placed: ${never.summary}`,
    ).to.equal(false);
    p.log(`event: ${event}`);
  });
});

function nodeName(pod: Pod): string {
  return pod.spec?.nodeName ?? '(none)';
}

/** Creates a pod from a template and waits until it runs (or already ran). */
async function startPod(
  p: ProbeHandle,
  acc: Accelerator,
  file: string,
  params: { name: string; count: number; selectorKey?: string; selectorValue?: string },
): Promise<Pod> {
  await p.create(CATEGORY, file, {
    ...podParams(p, acc, params.name, SHORT_SECONDS),
    resource: acc.resource,
    ...params,
  });
  return waitFor(p.kube, podRef(p.namespace, params.name), podStarted, p.waitOptions());
}

async function readNode(p: ProbeHandle, pod: Pod): Promise<Node> {
  const name = pod.spec?.nodeName;
  if (name === undefined) throw new ProbeError(`pod ${pod.metadata?.name ?? '?'} runs, but names no node`);
  return p.kube.getJson<Node>(`/api/v1/nodes/${encodeURIComponent(name)}`);
}

function describeScheduling(pod: Pod): string {
  const c = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
  return c === undefined ? 'no PodScheduled condition' : `PodScheduled=${c.status}: ${c.message ?? c.reason ?? ''}`;
}

/**
 * Watches, for the negative window, that the pod is never scheduled, while waiting (as long) for
 * the scheduler's FailedScheduling event naming "Insufficient <resource>". A missing event fails
 * the test with what was awaited and last seen.
 */
async function watchPending(
  p: ProbeHandle,
  ref: ReturnType<typeof podRef>,
  uid: string | undefined,
  acc: Accelerator,
): Promise<{ never: NeverResult<Pod | undefined, Pod>; event: string }> {
  const insufficient = `Insufficient ${acc.resource}`;
  const events = eventsTarget(uid === undefined ? ref : { ...ref, uid });
  const [never, seen] = await Promise.all([
    expectNever(p.kube, ref, podScheduled, { ...p.waitOptions(), durationMs: p.negativeWindowMs }),
    waitFor(p.kube, events, eventSeen({ reason: 'FailedScheduling', messageIncludes: insufficient }), {
      ...p.waitOptions(),
      timeoutMs: p.negativeWindowMs,
    }),
  ]);
  return { never, event: `${seen.reason ?? ''}: ${seen.message ?? ''}` };
}

/** What the unfinished pods bound to a node request of the accelerator, pod by pod. */
async function nodeUsage(
  p: ProbeHandle,
  node: AcceleratorNode,
  acc: Accelerator,
): Promise<{ requested: number; text: string }> {
  const list = await p.kube.getJson<{ items?: Pod[] }>('/api/v1/pods', { fieldSelector: `spec.nodeName=${node.name}` });
  const holders = (list.items ?? [])
    .filter((pod) => !isFinished(pod))
    .map((pod) => ({
      name: `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`,
      n: podRequest(pod.spec, acc.resource),
    }))
    .filter((h) => h.n > 0);
  const requested = holders.reduce((s, h) => s + h.n, 0);
  return {
    requested,
    text: `allocatable ${String(node.allocatable)} ${acc.resource}, requested by unfinished bound pods ${String(requested)} (${holders.map((h) => `${h.name}: ${String(h.n)}`).join(', ') || 'none'})`,
  };
}

async function finishedFillers(p: ProbeHandle, names: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const name of names) {
    try {
      const pod = await p.kube.getJson<Pod>(`/api/v1/namespaces/${p.namespace}/pods/${name}`);
      if (isFinished(pod)) out.push(name);
    } catch {
      out.push(name);
    }
  }
  return out;
}
