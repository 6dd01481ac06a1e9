/**
 * Named conditions for waitFor/expectNever, after e2e-framework's `klient/wait/conditions`.
 * Each has a description that completes "waiting for <target> …" and a describe() that sums up
 * the last state seen, so a timeout says why (`PodScheduled=False (Unschedulable: …)`).
 */
import { ExitCode, UserError } from '../errors.js';
import type { Deployment, HorizontalPodAutoscaler, Job, KubeObject, Pod, ResourceClaim } from './objects.js';
import {
  conditionsOf,
  conditionText,
  deletingText,
  describeDeployment,
  describeJob,
  describeObject,
  describeObjects,
  describePod,
  describePods,
  findCondition,
} from './status-text.js';

export { describeObject, describeObjects, describePod } from './status-text.js';

export type ConditionResult<V> = boolean | { done: true; value: V };

/** A named condition over what a target looks like now. */
export interface Condition<In, V = In> {
  /** Completes "waiting for <target> …": `to be Running`, `to have 3 Running pods`. */
  description: string;
  /** true (or `{ done, value }`) when met; throws TerminalConditionError when it never can be. */
  test(observed: In): ConditionResult<V>;
  /** The observed state in a few words, for timeout messages. */
  describe(observed: In): string;
}

/** Thrown by a condition's test when the condition can no longer be met (the pod Failed). */
export class TerminalConditionError extends UserError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.failed, options);
  }
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
