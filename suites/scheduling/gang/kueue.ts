/**
 * Kueue: a gang is one suspended Job in the probe's LocalQueue. Kueue admits its Workload as a
 * whole when the ClusterQueue's quota holds every pod, then unsuspends it; otherwise it keeps the
 * Job suspended, so no pod exists at all. The ClusterQueue is the probe's own (quota = the
 * cluster's accelerators) unless gangClusterQueue names one.
 */
import { parseQuantity } from '../../../src/kube/fingerprint.js';
import { describeObject, describeObjects } from '../../../src/kube/conditions.js';
import { loadManifests } from '../../../src/kube/manifest.js';
import { objectName, type KubeObject } from '../../../src/kube/objects.js';
import type { Kube } from '../../../src/kube/client.js';
import { isNotFound } from '../../../src/kube/client.js';
import { manifestFile } from '../../../src/paths.js';
import {
  podParams,
  type GangBackend,
  type GangCondition,
  type GangPodSettings,
  type GangSpec,
  type GangStatus,
} from './backend.js';

export const LOCAL_QUEUE = 'gang';

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

interface ResourceQuota {
  name?: string;
  nominalQuota?: string | number;
  borrowingLimit?: string | number;
}

export interface ClusterQueue extends KubeObject {
  spec?: {
    cohort?: string;
    cohortName?: string;
    resourceGroups?: { flavors?: { name?: string; resources?: ResourceQuota[] }[] }[];
  };
  status?: {
    conditions?: Condition[];
    flavorsReservation?: { resources?: { name?: string; total?: string | number }[] }[];
    flavorsUsage?: { resources?: { name?: string; total?: string | number }[] }[];
  };
}

interface Workload extends KubeObject {
  status?: {
    conditions?: Condition[];
    admission?: { clusterQueue?: string; podSetAssignments?: { name?: string; count?: number }[] };
  };
}

function quantity(q: string | number | undefined): number {
  if (q === undefined) return 0;
  return typeof q === 'number' ? q : (parseQuantity(q) ?? 0);
}

/**
 * The most of `resource` a ClusterQueue grants: the sum of its flavors' nominal quotas, plus their
 * borrowing limits when it is in a cohort. Undefined when it can borrow without limit (the cohort
 * decides), or does not cover the resource at all (0: it can never admit a gang).
 */
export function clusterQueueQuota(cq: ClusterQueue, resource: string): number | undefined {
  const inCohort = (cq.spec?.cohort ?? cq.spec?.cohortName ?? '') !== '';
  let total = 0;
  for (const group of cq.spec?.resourceGroups ?? []) {
    for (const flavor of group.flavors ?? []) {
      for (const r of flavor.resources ?? []) {
        if (r.name !== resource) continue;
        total += quantity(r.nominalQuota);
        if (inCohort) {
          if (r.borrowingLimit === undefined) return undefined;
          total += quantity(r.borrowingLimit);
        }
      }
    }
  }
  return total;
}

/** Accelerators a ClusterQueue has reserved for admitted workloads now. */
export function clusterQueueReserved(cq: ClusterQueue | undefined, resource: string): number {
  const status = cq?.status;
  const flavors = status?.flavorsReservation ?? status?.flavorsUsage ?? [];
  return flavors
    .flatMap((f) => f.resources ?? [])
    .reduce((n, r) => n + (r.name === resource ? quantity(r.total) : 0), 0);
}

function condition(obj: Workload | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** The Workload Kueue made for the gang's Job (it owns no other). */
function workloadOf(objs: readonly Workload[], job: string): Workload | undefined {
  return objs.find((w) => w.metadata?.ownerReferences?.some((o) => o.kind === 'Job' && o.name === job) === true);
}

function workloadText(w: Workload): string {
  const counts = (w.status?.admission?.podSetAssignments ?? []).map(
    (a) => `${a.name ?? '?'}=${String(a.count ?? '?')}`,
  );
  return `Workload ${objectName(w)}: ${describeObject(w)}${counts.length > 0 ? `; pod sets admitted: ${counts.join(', ')}` : ''}`;
}

function onWorkload(job: string, description: string, met: (w: Workload) => boolean): GangCondition {
  return {
    description,
    test: (objs) => {
      const w = workloadOf(objs, job);
      return w !== undefined && met(w) ? { done: true, value: workloadText(w) } : false;
    },
    describe: (objs) => {
      const w = workloadOf(objs, job);
      return w === undefined ? `no Workload owned by Job ${job} (${describeObjects(objs)})` : workloadText(w);
    },
  };
}

export function kueueStatus(namespace: string, apiVersion: string, gang: GangSpec): GangStatus {
  return {
    target: { apiVersion, kind: 'Workload', namespace },
    seen: onWorkload(gang.name, `to include the Workload of Job ${gang.name}`, () => true),
    admitted: onWorkload(
      gang.name,
      `to admit the Workload of Job ${gang.name}`,
      (w) => condition(w, 'Admitted')?.status === 'True',
    ),
    held: onWorkload(
      gang.name,
      `to hold back the Workload of Job ${gang.name} (QuotaReserved=False)`,
      (w) => condition(w, 'QuotaReserved')?.status === 'False',
    ),
  };
}

export interface KueueOptions {
  /** kueue.x-k8s.io/v1beta1 or v1beta2, as served. */
  apiVersion: string;
  settings: GangPodSettings;
  /** gangClusterQueue: an existing ClusterQueue; empty: the probe makes its own. */
  clusterQueue: string;
  /** Accelerators the cluster's usable nodes offer: the own ClusterQueue's quota. */
  capacity: number;
  /** Node totals for the own ClusterQueue's cpu and memory quota. */
  cpu: number;
  memoryBytes: number;
}

/** The Kueue backend for an own or an existing ClusterQueue; `existing` is the latter as read. */
export function kueueBackend(o: KueueOptions, existing?: KubeObject): GangBackend {
  const s = o.settings;
  const own = existing === undefined;
  const clusterQueue = own ? s.namespace : o.clusterQueue;
  const params = {
    kueueApiVersion: o.apiVersion,
    clusterQueue,
    localQueue: LOCAL_QUEUE,
    namespace: s.namespace,
    resource: s.resource,
  };
  const setupObjects = [
    ...(own
      ? loadManifests(manifestFile('scheduling', 'gang-kueue-clusterqueue.yaml'), {
          ...params,
          acceleratorQuota: o.capacity,
          cpuQuota: Math.max(1, Math.ceil(o.cpu)),
          memoryQuota: Math.max(1, Math.ceil(o.memoryBytes)),
        })
      : []),
    ...loadManifests(manifestFile('scheduling', 'gang-kueue-localqueue.yaml'), params),
  ];
  const quota = own ? o.capacity : clusterQueueQuota(existing, s.resource);
  const cqRef = { apiVersion: o.apiVersion, kind: 'ClusterQueue', name: clusterQueue };
  const version = o.apiVersion.split('/')[1] ?? o.apiVersion;
  return {
    id: 'kueue',
    title:
      `Kueue (${o.apiVersion}), ${own ? 'own' : 'existing'} ClusterQueue ${clusterQueue}` +
      ` (${quota === undefined ? `${s.resource} quota bounded by its cohort` : `${String(quota)} ${s.resource}`}), LocalQueue ${LOCAL_QUEUE}`,
    setupObjects,
    ready: {
      target: cqRef,
      condition: {
        description: 'to be Active',
        test: (cq) => (condition(cq, 'Active')?.status === 'True' ? { done: true, value: cq as KubeObject } : false),
        describe: (cq) => describeObject(cq),
      },
      hint: `Kueue never marked ClusterQueue ${clusterQueue} Active: is the Kueue controller (${version}) running?`,
    },
    ...(quota === undefined ? {} : { quota }),
    usage: { target: cqRef, read: (cq) => clusterQueueReserved(cq, s.resource), what: `ClusterQueue ${clusterQueue}` },
    gangObjects: (gang) =>
      loadManifests(manifestFile('scheduling', 'gang-kueue-job.yaml'), {
        ...podParams(gang, s),
        localQueue: LOCAL_QUEUE,
      }),
    status: (gang) => kueueStatus(s.namespace, o.apiVersion, gang),
    unseenHint:
      'Kueue created no Workload for the Job: the Kueue controller is not running, its webhooks are unreachable, ' +
      'or it does not manage batch/v1 Jobs (integrations.frameworks)',
  };
}

/** Reads the ClusterQueue named by gangClusterQueue; undefined when it does not exist. */
export async function readClusterQueue(kube: Kube, apiVersion: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await kube.getJson<KubeObject>(`/apis/${apiVersion}/clusterqueues/${encodeURIComponent(name)}`);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
