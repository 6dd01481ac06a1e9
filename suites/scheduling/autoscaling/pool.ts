/**
 * The autoscaled accelerator node pool of TestAcceleratorClusterAutoscaling: which nodes belong to
 * it (the `autoscalerNodePoolLabel` key=value), which of them count (Ready and schedulable, as
 * upstream's readyPoolNodes), whether its membership changed, what its pods must tolerate, and
 * whether anything else runs on it. All pure; the spec feeds them from node and pod lists.
 */
import { parseQuantity } from '../../../src/kube/fingerprint.js';
import type { Node, Pod } from '../../../src/kube/objects.js';
import { isFinished, podRequest } from '../../shared/accelerator-nodes.js';

export interface PoolLabel {
  key: string;
  value: string;
  /** `key=value`, for label selectors and messages. */
  selector: string;
}

// A qualified label name (optional DNS prefix, then a name of at most 63 characters) and a label value.
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** Parses `key=value` (exactly one `=`, both sides valid label parts); a string is the problem. */
export function parsePoolLabel(text: string): PoolLabel | string {
  const trimmed = text.trim();
  if (trimmed.split('=').length !== 2) return `expected exactly one key=value pair, got "${text}"`;
  const [key = '', value = ''] = trimmed.split('=');
  if (key === '' || value === '') return `label key and value must both be non-empty, got "${text}"`;
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (!NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix))))
    return `invalid label key "${key}"`;
  if (value.length > 63 || !VALUE.test(value)) return `invalid label value "${value}"`;
  return { key, value, selector: `${key}=${value}` };
}

/** A node as the pool sees it: its identity, and whether it counts. */
export interface PoolNode {
  name: string;
  uid: string;
  ready: boolean;
  schedulable: boolean;
  /** Allocatable of the accelerator's extended resource (0 when absent). */
  allocatable: number;
  taints: { key: string; value?: string; effect: string }[];
}

export function poolNode(node: Node, resource: string): PoolNode {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const raw = node.status?.allocatable?.[resource];
  return {
    name: node.metadata?.name ?? '',
    uid: node.metadata?.uid ?? '',
    ready,
    schedulable: node.spec?.unschedulable !== true,
    allocatable: raw === undefined ? 0 : (parseQuantity(raw) ?? 0),
    taints: (node.spec?.taints ?? []).map((t) => ({
      key: t.key,
      effect: t.effect,
      ...(t.value === undefined ? {} : { value: t.value }),
    })),
  };
}

/** The members that count: Ready and schedulable, sorted by name. */
export function members(nodes: readonly PoolNode[]): PoolNode[] {
  return nodes.filter((n) => n.ready && n.schedulable).sort((a, b) => a.name.localeCompare(b.name));
}

/** Same nodes (name and uid) in both lists. */
export function sameMembers(a: readonly PoolNode[], b: readonly PoolNode[]): boolean {
  const key = (ns: readonly PoolNode[]): string =>
    ns
      .map((n) => `${n.name}/${n.uid}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

/** `2 Ready: a, b; not counted: c (NotReady)` */
export function describePool(nodes: readonly PoolNode[]): string {
  const counted = members(nodes);
  const others = nodes
    .filter((n) => !counted.includes(n))
    .map(
      (n) => `${n.name} (${[n.ready ? '' : 'NotReady', n.schedulable ? '' : 'cordoned'].filter(Boolean).join(', ')})`,
    );
  const head = `${String(counted.length)} Ready and schedulable${counted.length > 0 ? `: ${counted.map((n) => n.name).join(', ')}` : ''}`;
  return others.length > 0 ? `${head}; not counted: ${others.join(', ')}` : head;
}

/** Device-plugin mode needs exactly one allocatable accelerator per node (one pod fills a node); the problem, if any. */
export function capacityProblem(nodes: readonly PoolNode[], resource: string): string | undefined {
  const wrong = nodes.filter((n) => n.allocatable !== 1).map((n) => `${n.name}=${String(n.allocatable)}`);
  return wrong.length === 0
    ? undefined
    : `pool nodes must each advertise exactly one allocatable ${resource} (one pod fills a node): ${wrong.join(', ')}`;
}

export interface Toleration {
  key: string;
  operator: 'Equal' | 'Exists';
  value?: string;
  effect?: string;
}

/**
 * What the probe's pods tolerate: the taints every baseline node carries (a dedicated pool is
 * commonly tainted, and its workloads tolerate that), and the accelerator's own taint key. Node
 * lifecycle taints (node.kubernetes.io/…) are never tolerated: they mean the node is unusable.
 */
export function poolTolerations(nodes: readonly PoolNode[], acceleratorTaintKey: string): Toleration[] {
  const out: Toleration[] = [{ key: acceleratorTaintKey, operator: 'Exists' }];
  const first = nodes[0];
  if (first === undefined) return out;
  for (const t of first.taints) {
    if (t.effect === 'PreferNoSchedule' || t.key.startsWith('node.kubernetes.io/') || t.key === acceleratorTaintKey)
      continue;
    const onAll = nodes.every((n) =>
      n.taints.some((o) => o.key === t.key && o.value === t.value && o.effect === t.effect),
    );
    if (!onAll) continue;
    out.push(
      t.value === undefined
        ? { key: t.key, operator: 'Exists', effect: t.effect }
        : { key: t.key, operator: 'Equal', value: t.value, effect: t.effect },
    );
  }
  return out;
}

function tolerates(pod: Pod, taint: PoolNode['taints'][number]): boolean {
  return (pod.spec?.tolerations ?? []).some((t) => {
    if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
    if (t.key === undefined || t.key === '') return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

function asksForAccelerator(pod: Pod, resource: string, dra: boolean): boolean {
  return podRequest(pod.spec, resource) > 0 || (dra && (pod.spec?.resourceClaims?.length ?? 0) > 0);
}

function isDaemonOrMirror(pod: Pod): boolean {
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return true;
  return (pod.metadata?.ownerReferences ?? []).some((o) => o.controller === true && o.kind === 'DaemonSet');
}

/**
 * Workloads that make the pool unfit for the test (upstream's verifyPoolIsIdle): another pod on a
 * pool node (DaemonSet and mirror pods aside), or an unscheduled pod that could take pool capacity:
 * one that selects the pool label, or asks for the accelerator (an extended resource, or with
 * `dra` any ResourceClaim) and tolerates the pool's taints. `ownNamespace` is the probe's.
 */
export function foreignWorkloads(
  pods: readonly Pod[],
  pool: readonly PoolNode[],
  label: PoolLabel,
  resource: string,
  ownNamespace: string,
  dra = false,
): string[] {
  const names = new Set(pool.map((n) => n.name));
  const hardTaints = (pool[0]?.taints ?? []).filter((t) => t.effect !== 'PreferNoSchedule');
  const out: string[] = [];
  for (const pod of pods) {
    const ns = pod.metadata?.namespace ?? '';
    if (ns === ownNamespace || isFinished(pod) || pod.metadata?.deletionTimestamp !== undefined) continue;
    const id = `${ns}/${pod.metadata?.name ?? '?'}`;
    const node = pod.spec?.nodeName;
    if (node !== undefined && node !== '') {
      if (names.has(node) && !isDaemonOrMirror(pod)) out.push(`${id} on ${node}`);
      continue;
    }
    if (pod.spec?.nodeSelector?.[label.key] === label.value) out.push(`${id} pending for the pool`);
    else if (asksForAccelerator(pod, resource, dra) && hardTaints.every((t) => tolerates(pod, t)))
      out.push(`${id} pending for ${dra ? 'a DRA claim' : resource}`);
  }
  return out.sort();
}

export type PoolMode = 'device-plugin' | 'dra';

/** What the pool offers per mode: devices of the DeviceClass's driver published for each node (DRA), or why DRA is out. */
export interface PoolOffer {
  resource: string;
  /** Why DRA cannot be probed at all (API not served, no DeviceClass); undefined when it can be looked at. */
  draUnavailable?: string;
  driver: string;
  deviceClass: string;
  /** DRA devices published for each pool node (nodes without any are absent). */
  draDevices: ReadonlyMap<string, number>;
}

export type PoolModeChoice = { mode: PoolMode; note?: string } | { skip: string } | { unfit: string };

/**
 * Which allocation mode the cycle uses on this pool, after upstream's `-allocation-mode`: `auto`
 * prefers DRA where every pool node publishes devices, else the device plugin; the note says why
 * DRA was not used. A mode that does not apply skips; a pool whose nodes hold other than exactly
 * one accelerator is unfit (one pod must fill a node).
 */
export function choosePoolMode(
  requested: 'auto' | PoolMode,
  baseline: readonly PoolNode[],
  offer: PoolOffer,
  selector: string,
): PoolModeChoice {
  const names = (ns: readonly PoolNode[]): string => ns.map((n) => n.name).join(', ');
  const without = baseline.filter((n) => (offer.draDevices.get(n.name) ?? 0) === 0);
  const draMissing =
    offer.draUnavailable ??
    (without.length > 0
      ? `no ResourceSlice publishes devices of driver ${offer.driver} (DeviceClass ${offer.deviceClass}) for the pool's nodes ${names(without)}`
      : undefined);
  const pluginMissing = baseline.every((n) => n.allocatable === 0)
    ? `no node of the pool ${selector} advertises ${offer.resource} allocatable`
    : undefined;
  const dra = (): PoolModeChoice => {
    const wrong = baseline.filter((n) => offer.draDevices.get(n.name) !== 1);
    return wrong.length > 0
      ? {
          unfit: `pool nodes must each publish exactly one device of driver ${offer.driver} (one pod fills a node): ${wrong.map((n) => `${n.name}=${String(offer.draDevices.get(n.name))}`).join(', ')}`,
        }
      : { mode: 'dra' };
  };
  const plugin = (note?: string): PoolModeChoice => {
    const problem = capacityProblem(baseline, offer.resource);
    if (problem !== undefined) return { unfit: problem };
    return note === undefined ? { mode: 'device-plugin' } : { mode: 'device-plugin', note };
  };
  switch (requested) {
    case 'dra':
      return draMissing === undefined ? dra() : { skip: `allocationMode=dra but ${draMissing}` };
    case 'device-plugin':
      return pluginMissing === undefined
        ? plugin()
        : { skip: `allocationMode=device-plugin but ${pluginMissing} (parameters accelerator, acceleratorResource)` };
    case 'auto':
      if (draMissing === undefined) return dra();
      if (pluginMissing === undefined)
        return plugin(`DRA mode not probed: ${draMissing}; the pool offers its accelerators through a device plugin`);
      return {
        skip: `the pool ${selector} offers no accelerator: ${draMissing}, and ${pluginMissing} (parameters accelerator, acceleratorResource, deviceClass)`,
      };
  }
}
