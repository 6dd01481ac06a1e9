/**
 * What the cluster is, recorded in meta/cluster.json so a reviewer can judge the evidence
 * without the cluster: version, nodes and their accelerators, DRA, served APIs, storage and
 * runtime classes. Lists are paginated (limit=500), so thousands of nodes cost a few calls.
 */
import { httpStatus } from './api-error.js';
import type { Kube, ServerVersion } from './client.js';
import type { KubeObject, Node } from './objects.js';
import { summarizeNodes, type NodeSummary } from './nodes.js';

export { isAcceleratorLabel, isExtendedResource, parseQuantity, summarizeNodes } from './nodes.js';
export type { AcceleratorNode, NodeSummary } from './nodes.js';

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

interface GroupList {
  groups?: { name: string; versions?: { groupVersion: string }[]; preferredVersion?: { groupVersion: string } }[];
}

export async function clusterFingerprint(kube: Kube): Promise<ClusterFingerprint> {
  const callsBefore = kube.requestCount;
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
    const version = await kube.getJson<ServerVersion>('/version');
    const serverVersion: ServerVersion = { gitVersion: version.gitVersion, major: version.major, minor: version.minor };
    if (version.platform !== undefined) serverVersion.platform = version.platform;
    const core = await kube.getJson<{ versions?: string[] }>('/api');
    const groups = await kube.getJson<GroupList>('/apis');
    const apiGroups = [
      ...(core.versions ?? []),
      ...(groups.groups ?? []).flatMap((g) => (g.versions ?? []).map((v) => v.groupVersion)),
    ].sort();
    const preferred = (name: string): string | undefined =>
      groups.groups?.find((g) => g.name === name)?.preferredVersion?.groupVersion;

    const nodes = summarizeNodes(await kube.listAll<Node>('/api/v1/nodes'));
    const dra = preferred('resource.k8s.io');
    const deviceClasses = await optional('deviceClasses', dra, 'resource.k8s.io', async (gv) =>
      (await kube.listAll<KubeObject>(`/apis/${gv}/deviceclasses`)).map((d) => d.metadata?.name ?? '').sort(),
    );
    const resourceSlices = await optional('resourceSlices', dra, 'resource.k8s.io', async (gv) => {
      const slices = await kube.listAll<{ spec?: { driver?: string } }>(`/apis/${gv}/resourceslices`);
      const drivers = [...new Set(slices.map((s) => s.spec?.driver ?? '').filter((d) => d !== ''))].sort();
      return { count: slices.length, drivers };
    });
    const storageClasses = await optional('storageClasses', preferred('storage.k8s.io'), 'storage.k8s.io', async (gv) =>
      (await kube.listAll<KubeObject & { provisioner?: string }>(`/apis/${gv}/storageclasses`)).map((s) => ({
        name: s.metadata?.name ?? '',
        provisioner: s.provisioner ?? '',
        default: s.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
      })),
    );
    const runtimeClasses = await optional('runtimeClasses', preferred('node.k8s.io'), 'node.k8s.io', async (gv) =>
      (await kube.listAll<KubeObject & { handler?: string }>(`/apis/${gv}/runtimeclasses`)).map((r) => ({
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
      apiCalls: kube.requestCount - callsBefore,
    };
  } catch (err) {
    throw kube.clusterError(err) ?? err;
  }
}
