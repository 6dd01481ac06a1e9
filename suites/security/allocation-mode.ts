/**
 * How the cluster hands out accelerators: through DRA (a DeviceClass whose driver publishes
 * devices in ResourceSlices) or through a device plugin (an extended resource on nodes). The
 * `allocationMode` parameter forces one; `auto` prefers DRA, as upstream's `-allocation-mode auto`.
 * Choosing is pure and unit-tested; reading the facts is `readDraNodes`.
 */
import { httpStatus } from '../../src/kube/api-error.js';
import type { Kube } from '../../src/kube/client.js';
import type { KubeObject } from '../../src/kube/objects.js';
import type { Accelerator } from '../../src/requirements/accelerators.js';
import { usable, type AcceleratorNode } from '../shared/accelerator-nodes.js';

export type AllocationMode = 'dra' | 'device-plugin';

const DRA_VERSION = 'resource.k8s.io/v1';

/** What DRA offers for the accelerator's DeviceClass. */
export interface DraFacts {
  /** resource.k8s.io/v1 is served. */
  served: boolean;
  /** The DeviceClass exists. */
  deviceClass: boolean;
  /** The driver whose devices the class selects. */
  driver: string;
  /** Devices published per node, and how many of them no claim holds. */
  nodes: { name: string; devices: number; free: number }[];
}

export interface DeviceClassLike {
  metadata?: { name?: string };
  spec?: { selectors?: { cel?: { expression?: string } }[] };
}

/**
 * The driver a DeviceClass selects: from a `device.driver == '...'` CEL selector, else the class
 * name (the vendors' DRA drivers name their class after the driver: gpu.nvidia.com).
 */
export function driverOfDeviceClass(dc: DeviceClassLike): string {
  for (const s of dc.spec?.selectors ?? []) {
    const m = /device\.driver\s*==\s*["']([^"']+)["']/.exec(s.cel?.expression ?? '');
    if (m?.[1] !== undefined) return m[1];
  }
  return dc.metadata?.name ?? '';
}

export interface ResourceSliceLike {
  spec?: {
    driver?: string;
    nodeName?: string;
    pool?: { name?: string; generation?: number };
    devices?: { name?: string }[];
  };
}

export interface ResourceClaimLike {
  status?: { allocation?: { devices?: { results?: { driver?: string; pool?: string; device?: string }[] } } };
}

/**
 * Devices of `driver` per node, and how many are not allocated to any claim. Only each pool's
 * newest generation counts (older slices are being replaced); slices without a nodeName are not
 * node-local and cannot be pinned to, so they are left out.
 */
export function draNodeDevices(
  slices: readonly ResourceSliceLike[],
  claims: readonly ResourceClaimLike[],
  driver: string,
): DraFacts['nodes'] {
  const ofDriver = slices.filter((s) => s.spec?.driver === driver);
  const newest = new Map<string, number>();
  for (const s of ofDriver) {
    const pool = s.spec?.pool?.name ?? '';
    newest.set(pool, Math.max(newest.get(pool) ?? 0, s.spec?.pool?.generation ?? 0));
  }
  const allocated = new Set<string>();
  for (const c of claims) {
    for (const r of c.status?.allocation?.devices?.results ?? []) {
      if (r.driver === driver) allocated.add(`${r.pool ?? ''}/${r.device ?? ''}`);
    }
  }
  const byNode = new Map<string, { devices: number; free: number }>();
  for (const s of ofDriver) {
    const node = s.spec?.nodeName;
    const pool = s.spec?.pool?.name ?? '';
    if (node === undefined || (s.spec?.pool?.generation ?? 0) < (newest.get(pool) ?? 0)) continue;
    const entry = byNode.get(node) ?? { devices: 0, free: 0 };
    for (const d of s.spec?.devices ?? []) {
      entry.devices += 1;
      if (!allocated.has(`${pool}/${d.name ?? ''}`)) entry.free += 1;
    }
    byNode.set(node, entry);
  }
  return [...byNode.entries()].map(([name, e]) => ({ name, ...e })).sort((a, b) => a.name.localeCompare(b.name));
}

export type ModeChoice = { mode: AllocationMode; why: string } | { skip: string };

/** `auto`: DRA when the DeviceClass exists and nodes publish its devices, else the device plugin, else skip. */
export function chooseAllocationMode(
  requested: 'auto' | AllocationMode,
  acc: Accelerator,
  dra: DraFacts,
  nodes: readonly AcceleratorNode[],
): ModeChoice {
  const draDevices = dra.nodes.reduce((sum, n) => sum + n.devices, 0);
  const draMissing = !dra.served
    ? `the cluster does not serve ${DRA_VERSION}`
    : !dra.deviceClass
      ? `DeviceClass ${acc.deviceClass} does not exist`
      : draDevices === 0
        ? `no ResourceSlice on any node publishes devices of driver ${dra.driver} (DeviceClass ${acc.deviceClass})`
        : undefined;
  const pluginNodes = nodes.filter((n) => n.allocatable > 0);
  const pluginMissing = pluginNodes.length === 0 ? `no node advertises ${acc.resource} allocatable` : undefined;

  const draChoice: ModeChoice = {
    mode: 'dra',
    why: `DeviceClass ${acc.deviceClass}: ${String(draDevices)} devices of driver ${dra.driver} on ${String(dra.nodes.length)} nodes`,
  };
  const pluginWhy = `${String(pluginNodes.length)} nodes advertise ${acc.resource} allocatable`;
  switch (requested) {
    case 'dra':
      return draMissing === undefined
        ? draChoice
        : { skip: `allocationMode=dra but ${draMissing}; set deviceClass, or allocationMode=auto` };
    case 'device-plugin':
      return pluginMissing === undefined
        ? { mode: 'device-plugin', why: pluginWhy }
        : {
            skip: `allocationMode=device-plugin but ${pluginMissing}; set accelerator/acceleratorResource, or allocationMode=auto`,
          };
    case 'auto':
      if (draMissing === undefined) return draChoice;
      if (pluginMissing === undefined) return { mode: 'device-plugin', why: `${pluginWhy}; not DRA: ${draMissing}` };
      return {
        skip: `no accelerator allocation on this cluster: ${draMissing}, and ${pluginMissing}; set accelerator, deviceClass or acceleratorResource`,
      };
  }
}

export interface AccessNode {
  name: string;
  hostname: string;
  /** Accelerators that can be given out on it now. */
  free: number;
}

/** The node the access tests pin their pods to: usable, with the most free accelerators in the chosen mode. */
export function chooseAccessNode(
  mode: AllocationMode,
  nodes: readonly AcceleratorNode[],
  dra: DraFacts,
): AccessNode | undefined {
  const draFree = new Map(dra.nodes.map((n) => [n.name, n.free]));
  const candidates = usable(nodes)
    .map((n) => ({ name: n.name, hostname: n.hostname, free: mode === 'dra' ? (draFree.get(n.name) ?? 0) : n.free }))
    .filter((n) => n.free > 0)
    .sort((a, b) => b.free - a.free || a.name.localeCompare(b.name));
  return candidates[0];
}

/** Reads the DeviceClass, its driver's ResourceSlices and the allocated claims. */
export async function readDraFacts(kube: Kube, acc: Accelerator): Promise<DraFacts> {
  const facts: DraFacts = { served: false, deviceClass: false, driver: acc.deviceClass, nodes: [] };
  if ((await kube.resource(DRA_VERSION, 'DeviceClass')) === undefined) return facts;
  facts.served = true;
  let dc: DeviceClassLike & KubeObject;
  try {
    dc = await kube.getJson(`/apis/${DRA_VERSION}/deviceclasses/${encodeURIComponent(acc.deviceClass)}`);
  } catch (err) {
    if (httpStatus(err) === 404) return facts;
    throw err;
  }
  facts.deviceClass = true;
  facts.driver = driverOfDeviceClass(dc);
  const slices = await kube.listAll<ResourceSliceLike>(`/apis/${DRA_VERSION}/resourceslices`, {
    fieldSelector: `spec.driver=${facts.driver}`,
  });
  // Without the right to list claims everywhere, count every published device as free.
  const claims = await kube.listAll<ResourceClaimLike>(`/apis/${DRA_VERSION}/resourceclaims`).catch((err: unknown) => {
    if (httpStatus(err) === 403) return [];
    throw err;
  });
  facts.nodes = draNodeDevices(slices, claims, facts.driver);
  return facts;
}
