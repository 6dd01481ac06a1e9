/**
 * Named conditions for waitFor/expectNever, after e2e-framework's `klient/wait/conditions`.
 * Each has a description that completes "waiting for <target> …" and a describe() that sums up
 * the last state seen, so a timeout says why (`PodScheduled=False (Unschedulable: …)`).
 */
import type { Deployment, HorizontalPodAutoscaler, Job, KubeObject, Pod, ResourceClaim } from './objects.js';
import { objectName } from './objects.js';
import { TerminalConditionError, type Condition } from './wait.js';

interface StatusCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

const MAX_MESSAGE = 200;

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > MAX_MESSAGE ? `${one.slice(0, MAX_MESSAGE - 1)}…` : one;
}

/** `Ready=False (Reason: message)`; the reason/message part only when there is one. */
function conditionText(c: StatusCondition): string {
  const why = [c.reason, c.message].filter((s) => s !== undefined && s !== '').join(': ');
  return `${c.type ?? '?'}=${c.status ?? '?'}${why === '' ? '' : ` (${clip(why)})`}`;
}

function conditionsOf(obj: KubeObject | undefined): StatusCondition[] {
  const status = obj?.status as { conditions?: unknown } | undefined;
  return Array.isArray(status?.conditions) ? (status.conditions as StatusCondition[]) : [];
}

function findCondition(obj: KubeObject | undefined, type: string): StatusCondition | undefined {
  return conditionsOf(obj).find((c) => c.type === type);
}

function deletingText(obj: KubeObject): string {
  const m = obj.metadata;
  if (m?.deletionTimestamp === undefined) return '';
  const f = m.finalizers ?? [];
  return `, deleting since ${m.deletionTimestamp}${f.length > 0 ? ` (finalizers: ${f.join(', ')})` : ''}`;
}

/** Any object: phase, then its conditions. `not found` when absent. */
export function describeObject(obj: KubeObject | undefined): string {
  if (obj === undefined) return 'not found';
  const phase = (obj.status as { phase?: unknown } | undefined)?.phase;
  const parts: string[] = [];
  if (typeof phase === 'string') parts.push(`phase=${phase}`);
  parts.push(...conditionsOf(obj).map(conditionText));
  return `${parts.length > 0 ? parts.join(', ') : 'no status yet'}${deletingText(obj)}`;
}

/** A list: how many, and a summary of the first few. */
export function describeObjects(objs: readonly KubeObject[], one: (o: KubeObject) => string = describeObject): string {
  if (objs.length === 0) return 'no objects';
  const shown = objs.slice(0, 3).map((o) => `${objectName(o)}: ${one(o)}`);
  const more = objs.length > 3 ? `; and ${String(objs.length - 3)} more` : '';
  return `${String(objs.length)} object${objs.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}`;
}

/** Pod phase, scheduling and container states: what decides whether it will ever run. */
export function describePod(pod: Pod | undefined): string {
  if (pod === undefined) return 'not found';
  const parts = [`phase=${pod.status?.phase ?? 'unknown'}`];
  const scheduled = findCondition(pod, 'PodScheduled');
  if (pod.spec?.nodeName !== undefined) parts.push(`node=${pod.spec.nodeName}`);
  else if (scheduled !== undefined) parts.push(conditionText(scheduled));
  for (const c of pod.status?.containerStatuses ?? []) {
    const w = c.state?.waiting;
    const t = c.state?.terminated;
    if (w !== undefined)
      parts.push(`container ${c.name} waiting (${clip([w.reason, w.message].filter(Boolean).join(': '))})`);
    if (t !== undefined) parts.push(`container ${c.name} terminated (${t.reason ?? ''}, exit ${String(t.exitCode)})`);
  }
  if (pod.status?.reason !== undefined) parts.push(`reason=${pod.status.reason}`);
  return parts.join(', ') + deletingText(pod);
}

function describePods(pods: readonly Pod[]): string {
  if (pods.length === 0) return 'no pods';
  const byPhase = new Map<string, number>();
  for (const p of pods) byPhase.set(p.status?.phase ?? 'Unknown', (byPhase.get(p.status?.phase ?? 'Unknown') ?? 0) + 1);
  const phases = [...byPhase.entries()].map(([phase, n]) => `${String(n)} ${phase}`).join(', ');
  // One unscheduled pod's reason usually explains them all (Insufficient nvidia.com/gpu).
  const stuck = pods.find((p) => findCondition(p, 'PodScheduled')?.status === 'False');
  const why =
    stuck === undefined ? '' : `; ${objectName(stuck)}: ${conditionText(findCondition(stuck, 'PodScheduled') ?? {})}`;
  return `${String(pods.length)} pod${pods.length === 1 ? '' : 's'}: ${phases}${why}`;
}

/** A condition on one object that must exist: returns the object when met. */
function onObject<T extends KubeObject>(
  description: string,
  met: (obj: T) => boolean,
  describe: (obj: T | undefined) => string,
  terminal?: (obj: T) => string | undefined,
): Condition<T | undefined, T> {
  return {
    description,
    test(obj) {
      if (obj === undefined) return false;
      const reason = terminal?.(obj);
      if (reason !== undefined) throw new TerminalConditionError(reason);
      return met(obj) ? { done: true, value: obj } : false;
    },
    describe,
  };
}

function finishedPodReason(pod: Pod): string | undefined {
  const phase = pod.status?.phase;
  return phase === 'Failed' || phase === 'Succeeded' ? `pod finished: ${describePod(pod)}` : undefined;
}

export const podRunning: Condition<Pod | undefined, Pod> = onObject<Pod>(
  'to be Running',
  (p) => p.status?.phase === 'Running',
  describePod,
  finishedPodReason,
);

export const podSucceeded: Condition<Pod | undefined, Pod> = onObject<Pod>(
  'to succeed',
  (p) => p.status?.phase === 'Succeeded',
  describePod,
  (p) => (p.status?.phase === 'Failed' ? `pod failed: ${describePod(p)}` : undefined),
);

export const podScheduled: Condition<Pod | undefined, Pod> = onObject<Pod>(
  'to be scheduled',
  (p) => p.spec?.nodeName !== undefined || findCondition(p, 'PodScheduled')?.status === 'True',
  describePod,
);

/** PodScheduled=False with reason Unschedulable; terminal once the pod is placed on a node. */
export const podUnschedulable: Condition<Pod | undefined, Pod> = onObject<Pod>(
  'to be reported Unschedulable',
  (p) => {
    const c = findCondition(p, 'PodScheduled');
    return c?.status === 'False' && c.reason === 'Unschedulable';
  },
  describePod,
  (p) => (p.spec?.nodeName !== undefined ? `pod was scheduled to node ${p.spec.nodeName}` : undefined),
);

/** At least `n` pods of the list are Running; returns the list. */
export function podsRunning(n: number): Condition<Pod[], Pod[]> {
  return {
    description: `to have ${String(n)} Running pod${n === 1 ? '' : 's'}`,
    test: (pods) => pods.filter((p) => p.status?.phase === 'Running').length >= n,
    describe: describePods,
  };
}

function describeJob(job: Job | undefined): string {
  if (job === undefined) return 'not found';
  const s = job.status ?? {};
  const counts = `active=${String(s.active ?? 0)}, succeeded=${String(s.succeeded ?? 0)}, failed=${String(s.failed ?? 0)}`;
  const suspended = job.spec?.suspend === true ? ', suspended' : '';
  const conditions = conditionsOf(job)
    .filter((c) => c.status === 'True')
    .map(conditionText);
  return [counts + suspended, ...conditions].join(', ') + deletingText(job);
}

/** Job condition Complete=True; terminal on Failed=True. */
export const jobComplete: Condition<Job | undefined, Job> = onObject<Job>(
  'to complete',
  (j) => findCondition(j, 'Complete')?.status === 'True',
  describeJob,
  (j) => {
    const failed = findCondition(j, 'Failed');
    return failed?.status === 'True' ? `job failed: ${conditionText(failed)}` : undefined;
  },
);

function describeDeployment(d: Deployment | undefined): string {
  if (d === undefined) return 'not found';
  const s = d.status ?? {};
  const counts = `replicas=${String(s.replicas ?? 0)}, available=${String(s.availableReplicas ?? 0)}, ready=${String(s.readyReplicas ?? 0)}`;
  const notTrue = conditionsOf(d)
    .filter((c) => c.status !== 'True')
    .map(conditionText);
  return [counts, ...notTrue].join(', ');
}

/** At least `n` available replicas; terminal when the rollout exceeded its progress deadline. */
export function deploymentAvailable(n: number): Condition<Deployment | undefined, Deployment> {
  return onObject<Deployment>(
    `to have ${String(n)} available replica${n === 1 ? '' : 's'}`,
    (d) => (d.status?.availableReplicas ?? 0) >= n,
    describeDeployment,
    (d) => {
      const p = findCondition(d, 'Progressing');
      return p?.status === 'False' && p.reason === 'ProgressDeadlineExceeded'
        ? `rollout stalled: ${conditionText(p)}`
        : undefined;
    },
  );
}

/** A DRA ResourceClaim with status.allocation set (any resource.k8s.io version). */
export const claimAllocated: Condition<ResourceClaim | undefined, ResourceClaim> = onObject<ResourceClaim>(
  'to be allocated',
  (c) => c.status?.allocation !== undefined,
  (c) => {
    if (c === undefined) return 'not found';
    const reserved = c.status?.reservedFor?.length ?? 0;
    return `${c.status?.allocation === undefined ? 'not allocated' : 'allocated'}, reservedFor=${String(reserved)}${deletingText(c)}`;
  },
);

/**
 * The HPA's status.desiredReplicas satisfies `pred`. `expected` words it for messages (`>= 3`);
 * without it the predicate's source is shown.
 */
export function hpaDesiredReplicas(
  pred: (desired: number) => boolean,
  expected: string = pred.toString(),
): Condition<HorizontalPodAutoscaler | undefined, HorizontalPodAutoscaler> {
  return onObject<HorizontalPodAutoscaler>(
    `to want ${expected} replicas`,
    (h) => h.status?.desiredReplicas !== undefined && pred(h.status.desiredReplicas),
    (h) => {
      if (h === undefined) return 'not found';
      const s = h.status;
      const counts = `desired=${String(s?.desiredReplicas ?? '?')}, current=${String(s?.currentReplicas ?? '?')}`;
      return [
        counts,
        ...conditionsOf(h)
          .filter((c) => c.status !== 'True')
          .map(conditionText),
      ].join(', ');
    },
  );
}

/** The object is gone (not merely terminating). */
export const deleted: Condition<KubeObject | undefined, undefined> = {
  description: 'to be deleted',
  test: (obj) => obj === undefined,
  describe: (obj) => (obj === undefined ? 'gone' : `still present${deletingText(obj) || ' (not being deleted)'}`),
};

/**
 * Anything else: `matches('to have label x', (ns) => ns?.metadata?.labels?.x === 'y')`.
 * Without `describe`, the last state is summarized generically (phase and conditions).
 */
export function matches<In>(
  description: string,
  test: (observed: In) => boolean,
  describe?: (observed: In) => string,
): Condition<In, In> {
  return {
    description,
    test,
    describe:
      describe ??
      ((observed: In) =>
        Array.isArray(observed)
          ? describeObjects(observed as KubeObject[])
          : describeObject(observed as KubeObject | undefined)),
  };
}
