/**
 * What the cluster is, recorded in meta/cluster.json so a reviewer can judge the evidence
 * without the cluster: version, nodes and their accelerators, DRA, served APIs, storage and
 * runtime classes. Lists are paginated (limit=500), so thousands of nodes cost a few calls.
 */
import { httpStatus } from './api-error.js';
import type { Kube, Query, ServerVersion } from './client.js';
import type { KubeObject, Node } from './objects.js';

export interface AcceleratorNode {
  name: string;
  /** Accelerator-related labels only (GPU feature discovery, NFD PCI, TPU). */
  labels: Record<string, string>;
  /** Allocatable extended resources (`nvidia.com/gpu: "8"`). */
  allocatable: Record<string, string>;
}

export interface NodeSummary {
  total: number;
  ready: number;
  withAccelerators: AcceleratorNode[];
  /** Sum of each accelerator resource over those nodes. */
  acceleratorTotals: Record<string, number>;
}

export interface ClusterFingerprint {
  serverVersion: ServerVersion;
  nodes: NodeSummary;
  /** null when unavailable; `unavailable` says why. */
  deviceClasses: string[] | null;
  resourceSlices: { count: number; drivers: string[] } | null;
  /** Served group/versions, `v1` for the core group. */
  apiGroups: string[];
  storageClasses: { name: string; provisioner: string; default: boolean }[] | null;
  runtimeClasses: { name: string; handler: string }[] | null;
  /** Optional parts that could not be read: `{ deviceClasses: 'resource.k8s.io not served' }`. */
  unavailable: Record<string, string>;
  /** API requests this fingerprint took. */
  apiCalls: number;
}

const PAGE = 500;
const ACCELERATOR_LABEL_PREFIXES = [
  'nvidia.com/',
  'amd.com/',
  'gpu.intel.com/',
  'cloud.google.com/gke-tpu',
  'cloud.google.com/gke-accelerator',
  'feature.node.kubernetes.io/pci-',
];
const ACCELERATOR_RESOURCE_DOMAINS = [
  'nvidia.com',
  'amd.com',
  'gpu.intel.com',
  'google.com',
  'habana.ai',
  'aws.amazon.com',
  'xilinx.com',
];

interface List<T> {
  metadata?: { continue?: string };
  items?: T[];
}

interface GroupList {
  groups?: { name: string; versions?: { groupVersion: string }[]; preferredVersion?: { groupVersion: string } }[];
}

/** Extended resources are domain-qualified names outside kubernetes.io (`nvidia.com/gpu`). */
export function isExtendedResource(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash < 0) return false;
  const domain = name.slice(0, slash);
  return domain !== 'kubernetes.io' && !domain.endsWith('.kubernetes.io');
}

export function isAcceleratorLabel(key: string): boolean {
  return ACCELERATOR_LABEL_PREFIXES.some((p) => key.startsWith(p));
}

function isAcceleratorResource(name: string): boolean {
  const domain = name.split('/')[0] ?? '';
  return ACCELERATOR_RESOURCE_DOMAINS.includes(domain);
}

const SUFFIXES: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity as a number (`8`, `1k`, `500m`), or undefined if it is not one. */
export function parseQuantity(q: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  const factor = m === null ? undefined : SUFFIXES[m[2] ?? ''];
  return m === null || factor === undefined ? undefined : Number(m[1]) * factor;
}

/** Summarizes nodes: pure, so it is unit-tested without a cluster. */
export function summarizeNodes(nodes: readonly Node[]): NodeSummary {
  const summary: NodeSummary = { total: nodes.length, ready: 0, withAccelerators: [], acceleratorTotals: {} };
  for (const node of nodes) {
    if (node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true) summary.ready += 1;
    const labels = Object.fromEntries(
      Object.entries(node.metadata?.labels ?? {}).filter(([k]) => isAcceleratorLabel(k)),
    );
    const allocatable = Object.fromEntries(
      Object.entries(node.status?.allocatable ?? {}).filter(([k]) => isExtendedResource(k)),
    );
    const accelerators = Object.entries(allocatable).filter(
      ([k, v]) => isAcceleratorResource(k) && (parseQuantity(v) ?? 0) > 0,
    );
    if (Object.keys(labels).length === 0 && accelerators.length === 0) continue;
    summary.withAccelerators.push({ name: node.metadata?.name ?? '', labels, allocatable });
    for (const [k, v] of accelerators)
      summary.acceleratorTotals[k] = (summary.acceleratorTotals[k] ?? 0) + (parseQuantity(v) ?? 0);
  }
  summary.withAccelerators.sort((a, b) => a.name.localeCompare(b.name));
  return summary;
}

export async function clusterFingerprint(kube: Kube): Promise<ClusterFingerprint> {
  let apiCalls = 0;
  const get = <T>(path: string, query: Query = {}): Promise<T> => {
    apiCalls += 1;
    return kube.getJson<T>(path, query);
  };
  const listAll = async <T>(path: string): Promise<T[]> => {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const page = await get<List<T>>(path, { limit: PAGE, continue: token });
      items.push(...(page.items ?? []));
      token = page.metadata?.continue || undefined;
    } while (token !== undefined);
    return items;
  };
  const unavailable: Record<string, string> = {};
  /** Optional parts: 403/404 and unserved groups are recorded, anything else is a real failure. */
  const optional = async <T>(
    part: string,
    groupVersion: string | undefined,
    group: string,
    read: (gv: string) => Promise<T>,
  ): Promise<T | null> => {
    if (groupVersion === undefined) {
      unavailable[part] = `${group} not served`;
      return null;
    }
    try {
      return await read(groupVersion);
    } catch (err) {
      const status = httpStatus(err);
      if (status !== 403 && status !== 404) throw err;
      unavailable[part] =
        status === 403 ? `forbidden (403) listing ${groupVersion}` : `not found (404) in ${groupVersion}`;
      return null;
    }
  };

  try {
    const version = await get<ServerVersion>('/version');
    const serverVersion: ServerVersion = { gitVersion: version.gitVersion, major: version.major, minor: version.minor };
    if (version.platform !== undefined) serverVersion.platform = version.platform;
    const core = await get<{ versions?: string[] }>('/api');
    const groups = await get<GroupList>('/apis');
    const apiGroups = [
      ...(core.versions ?? []),
      ...(groups.groups ?? []).flatMap((g) => (g.versions ?? []).map((v) => v.groupVersion)),
    ].sort();
    const preferred = (name: string): string | undefined =>
      groups.groups?.find((g) => g.name === name)?.preferredVersion?.groupVersion;

    const nodes = summarizeNodes(await listAll<Node>('/api/v1/nodes'));
    const dra = preferred('resource.k8s.io');
    const deviceClasses = await optional('deviceClasses', dra, 'resource.k8s.io', async (gv) =>
      (await listAll<KubeObject>(`/apis/${gv}/deviceclasses`)).map((d) => d.metadata?.name ?? '').sort(),
    );
    const resourceSlices = await optional('resourceSlices', dra, 'resource.k8s.io', async (gv) => {
      const slices = await listAll<{ spec?: { driver?: string } }>(`/apis/${gv}/resourceslices`);
      const drivers = [...new Set(slices.map((s) => s.spec?.driver ?? '').filter((d) => d !== ''))].sort();
      return { count: slices.length, drivers };
    });
    const storageClasses = await optional('storageClasses', preferred('storage.k8s.io'), 'storage.k8s.io', async (gv) =>
      (await listAll<KubeObject & { provisioner?: string }>(`/apis/${gv}/storageclasses`)).map((s) => ({
        name: s.metadata?.name ?? '',
        provisioner: s.provisioner ?? '',
        default: s.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
      })),
    );
    const runtimeClasses = await optional('runtimeClasses', preferred('node.k8s.io'), 'node.k8s.io', async (gv) =>
      (await listAll<KubeObject & { handler?: string }>(`/apis/${gv}/runtimeclasses`)).map((r) => ({
        name: r.metadata?.name ?? '',
        handler: r.handler ?? '',
      })),
    );
    return {
      serverVersion,
      nodes,
      deviceClasses,
      resourceSlices,
      apiGroups,
      storageClasses,
      runtimeClasses,
      unavailable,
      apiCalls,
    };
  } catch (err) {
    throw kube.clusterError(err) ?? err;
  }
}
