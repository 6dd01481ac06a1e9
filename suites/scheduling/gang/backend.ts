/**
 * One interface for every gang scheduling solution. A backend turns a gang (N pods, K accelerators
 * each) into the solution's objects and says how the solution's verdict shows: when it has taken
 * the gang up, when it admitted it, and when it holds it back. The spec does the I/O (create,
 * watch, delete); backends are data and conditions, so their manifests are unit-tested.
 */
import type { Condition } from '../../../src/kube/wait.js';
import { loadManifests } from '../../../src/kube/manifest.js';
import type { KubeObject, ListTarget, ObjectRef, Pod } from '../../../src/kube/objects.js';
import { describeObjects, describePod } from '../../../src/kube/conditions.js';
import { objectName } from '../../../src/kube/objects.js';
import { manifestFile } from '../../../src/paths.js';

export const GANG_SCHEDULERS = ['kueue', 'volcano', 'coscheduling', 'workload-api'] as const;
export type GangSchedulerId = (typeof GANG_SCHEDULERS)[number];

/** Every object of a gang carries it: the gang's name. Pods are found by it. */
export const GANG_LABEL = 'ai-conformance.io/gang';

export interface GangSpec {
  /** DNS label: the workload or group object, and the prefix of bare pods. */
  name: string;
  pods: number;
  /** Accelerators each pod requests. */
  perPod: number;
}

/** How every gang pod looks, fixed for a run. */
export interface GangPodSettings {
  namespace: string;
  /** Extended resource of the accelerator (`nvidia.com/gpu`). */
  resource: string;
  taintKey: string;
  image: string;
  /** How long a pod's container sleeps (and the kwok Stage keeps it Running). */
  durationSeconds: number;
}

/** A condition over the backend's status target; its value says what was seen, for the log. */
export type GangCondition = Condition<KubeObject[], string>;

export interface GangStatus {
  target: ListTarget;
  /** The solution has taken the gang up (Kueue made its Workload; a scheduler tried its pods). */
  seen: GangCondition;
  /** The solution admitted the gang as a whole. */
  admitted: GangCondition;
  /** The solution holds the gang back and says why (quota, gang cannot be placed). */
  held: GangCondition;
}

/** A quota the solution keeps (Kueue ClusterQueue): read to prove a gang's share is released. */
export interface QuotaUsage {
  target: ObjectRef;
  /** Accelerators reserved now. */
  read(obj: KubeObject | undefined): number;
  /** `ClusterQueue aic-gang-…` */
  what: string;
}

export interface GangBackend {
  id: GangSchedulerId;
  /** One line for the log: the solution, its API version and what the probe uses of it. */
  title: string;
  /** Created once before the first gang (queues); cluster-scoped ones included. */
  setupObjects: KubeObject[];
  /** Awaited after the setup objects exist (the ClusterQueue turns Active); `hint` explains a timeout. */
  ready?: { target: ObjectRef; condition: Condition<KubeObject | undefined, KubeObject>; hint: string };
  /** Most accelerators the solution would grant one workload, where it keeps a quota; undefined: no (bounded) quota. */
  quota?: number;
  usage?: QuotaUsage;
  /** Objects of one gang, in creation order. */
  gangObjects(gang: GangSpec): KubeObject[];
  status(gang: GangSpec): GangStatus;
  /** Why `seen` may never happen, appended to a timeout. */
  unseenHint: string;
}

/** Every pod of a gang. */
export function gangPodsTarget(namespace: string, gang: string): ListTarget {
  return { apiVersion: 'v1', kind: 'Pod', namespace, labelSelector: `${GANG_LABEL}=${gang}` };
}

/** The bare pods of a gang, from suites/scheduling/manifests/gang-pod.yaml, before a backend adds group membership. */
export function gangPods(gang: GangSpec, s: GangPodSettings): Pod[] {
  const pods: Pod[] = [];
  for (let index = 0; index < gang.pods; index++) {
    const [pod] = loadManifests(manifestFile('scheduling', 'gang-pod.yaml'), { ...podParams(gang, s), index });
    pods.push(pod as Pod);
  }
  return pods;
}

/** Placeholders every gang template shares. */
export function podParams(gang: GangSpec, s: GangPodSettings): Record<string, string | number> {
  return {
    gang: gang.name,
    pods: gang.pods,
    perPod: gang.perPod,
    demand: gang.pods * gang.perPod,
    resource: s.resource,
    taintKey: s.taintKey,
    probeImage: s.image,
    duration: s.durationSeconds,
  };
}

function isPlaced(p: Pod): boolean {
  return (p.spec?.nodeName ?? '') !== '' || p.status?.phase === 'Running';
}

/**
 * For solutions that group bare pods, the verdict shows on the pods: tried (a PodScheduled
 * condition), admitted (all bound), held (PodScheduled=False with the scheduler's reason).
 */
export function podGangStatus(namespace: string, gang: GangSpec): GangStatus {
  const summary = (pods: readonly Pod[]): string => describeObjects(pods, (o) => describePod(o));
  const scheduling = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'PodScheduled');
  return {
    target: gangPodsTarget(namespace, gang.name),
    seen: {
      description: 'to be tried by the scheduler',
      test: (objs) => {
        const tried = (objs as Pod[]).find((p) => scheduling(p) !== undefined || isPlaced(p));
        return tried === undefined ? false : { done: true, value: `${objectName(tried)}: ${describePod(tried)}` };
      },
      describe: (objs) => summary(objs),
    },
    admitted: {
      description: `to have all ${String(gang.pods)} pods bound to nodes`,
      test: (objs) => {
        const pods = objs as Pod[];
        const bound = pods.filter(isPlaced);
        return bound.length >= gang.pods
          ? { done: true, value: `all ${String(bound.length)} pods bound: ${summary(pods)}` }
          : false;
      },
      describe: (objs) => summary(objs),
    },
    held: {
      description: 'to be reported unschedulable',
      test: (objs) => {
        const stuck = (objs as Pod[]).find((p) => scheduling(p)?.status === 'False');
        return stuck === undefined ? false : { done: true, value: `${objectName(stuck)}: ${describePod(stuck)}` };
      },
      describe: (objs) => summary(objs),
    },
  };
}

/** For the negative test: some pod of the gang got a node or runs (a gang must get all or none). */
export const anyPodPlaced: Condition<Pod[], Pod[]> = {
  description: 'to have a pod bound to a node or Running',
  test: (pods) => pods.some(isPlaced),
  describe: (pods) => describeObjects(pods, (o) => describePod(o)),
};
