/**
 * Which nodes offer the accelerator as an extended resource, how much of it is free, and which of
 * them a probe pod can use. The summaries are pure (unit-tested); `readAcceleratorNodes` feeds them
 * from the cluster with paginated raw lists.
 */
import type { Kube } from '../../src/kube/client.js';
import { parseQuantity } from '../../src/kube/fingerprint.js';
import type { Node, Pod } from '../../src/kube/objects.js';
import type { Accelerator } from '../../src/requirements/accelerators.js';

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

export interface AcceleratorNode {
  name: string;
  /** Value of the kubernetes.io/hostname label (the node name where the label is missing). */
  hostname: string;
  /** Allocatable accelerators (0 where the node does not advertise the resource). */
  allocatable: number;
  /** Allocatable minus what bound, unfinished pods request. */
  free: number;
  /** Value of the product label, if the node carries it. */
  product?: string;
  /** Why a probe pod cannot land here (cordoned, NotReady, untolerated taint); empty when usable. */
  problems: string[];
}

type Resources = { requests?: Record<string, unknown>; limits?: Record<string, unknown> } | undefined;
type PodSpecLike = NonNullable<Pod['spec']>;

function amount(resources: Resources, resource: string): number {
  // Extended resources cannot be overcommitted: a limit alone sets the request.
  const q = resources?.requests?.[resource] ?? resources?.limits?.[resource];
  return typeof q === 'string' ? (parseQuantity(q) ?? 0) : typeof q === 'number' ? q : 0;
}

/** What a pod takes of `resource` from its node: the larger of its containers (plus sidecars) and any init container. */
export function podRequest(spec: PodSpecLike | undefined, resource: string): number {
  const inits = spec?.initContainers ?? [];
  const sidecars = inits.filter((c) => c.restartPolicy === 'Always');
  const running = [...(spec?.containers ?? []), ...sidecars].reduce((sum, c) => sum + amount(c.resources, resource), 0);
  const initPeak = Math.max(
    0,
    ...inits.filter((c) => c.restartPolicy !== 'Always').map((c) => amount(c.resources, resource)),
  );
  return Math.max(running, initPeak);
}

export function isFinished(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function usabilityProblems(node: Node, acc: Accelerator): string[] {
  const problems: string[] = [];
  if (node.spec?.unschedulable === true) problems.push('cordoned');
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') problems.push(`Ready=${ready?.status ?? 'unknown'}`);
  for (const t of node.spec?.taints ?? []) {
    if (t.effect === 'PreferNoSchedule' || t.key === acc.taintKey) continue;
    problems.push(`taint ${t.key}${t.value === undefined ? '' : `=${t.value}`}:${t.effect}`);
  }
  return problems;
}

/** Every node, with its accelerator allocatable and free count. `pods` are all unfinished pods of the cluster. */
export function summarizeAcceleratorNodes(
  nodes: readonly Node[],
  pods: readonly Pod[],
  acc: Accelerator,
): AcceleratorNode[] {
  const used = new Map<string, number>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (node === undefined || isFinished(pod)) continue;
    used.set(node, (used.get(node) ?? 0) + podRequest(pod.spec, acc.resource));
  }
  return nodes
    .map((node) => {
      const name = node.metadata?.name ?? '';
      const raw = node.status?.allocatable?.[acc.resource];
      const allocatable = raw === undefined ? 0 : (parseQuantity(raw) ?? 0);
      const product = node.metadata?.labels?.[acc.productLabel];
      const summary: AcceleratorNode = {
        name,
        hostname: node.metadata?.labels?.[HOSTNAME_LABEL] ?? name,
        allocatable,
        free: Math.max(0, allocatable - (used.get(name) ?? 0)),
        problems: usabilityProblems(node, acc),
      };
      if (product !== undefined) summary.product = product;
      return summary;
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function usable(nodes: readonly AcceleratorNode[]): AcceleratorNode[] {
  return nodes.filter((n) => n.problems.length === 0);
}

/** `gpu-a100-0: cordoned, taint x=y:NoSchedule` for the nodes a probe cannot use. */
export function describeUnusable(nodes: readonly AcceleratorNode[]): string {
  return nodes
    .filter((n) => n.problems.length > 0)
    .map((n) => `${n.name}: ${n.problems.join(', ')}`)
    .join('; ');
}

/**
 * How many accelerators the placement test asks for. Where node sizes differ, one more than the
 * smallest node has, so that only the larger nodes fit and the scheduler must tell them apart;
 * otherwise 2 (1 on single-accelerator nodes). Never more than some usable node has free.
 */
export function chooseRequestSize(nodes: readonly AcceleratorNode[]): number {
  const withResource = usable(nodes).filter((n) => n.allocatable > 0);
  const maxFree = Math.max(0, ...withResource.map((n) => n.free));
  const sizes = [...new Set(withResource.map((n) => n.allocatable))].sort((a, b) => a - b);
  const smallest = sizes[0] ?? 0;
  const wanted = sizes.length > 1 ? smallest + 1 : Math.min(2, smallest);
  return Math.max(1, Math.min(wanted, maxFree));
}

/**
 * The product value a node selector should name: the product whose usable nodes have the least
 * accelerators in total (the scheduler's spreading favours big nodes, so the selector must do the
 * work), among products with a free accelerator. Undefined when no node carries the label.
 */
export function chooseProduct(nodes: readonly AcceleratorNode[]): { product: string; nodes: string[] } | undefined {
  const byProduct = new Map<string, AcceleratorNode[]>();
  for (const n of usable(nodes)) {
    if (n.product === undefined || n.allocatable === 0) continue;
    byProduct.set(n.product, [...(byProduct.get(n.product) ?? []), n]);
  }
  const candidates = [...byProduct.entries()]
    .filter(([, ns]) => ns.some((n) => n.free > 0))
    .map(([product, ns]) => ({
      product,
      nodes: ns.map((n) => n.name),
      total: ns.reduce((s, n) => s + n.allocatable, 0),
    }))
    .sort((a, b) => a.total - b.total || a.product.localeCompare(b.product));
  const best = candidates[0];
  return best === undefined ? undefined : { product: best.product, nodes: best.nodes };
}

export interface FillPlan {
  node: AcceleratorNode;
  /** Accelerators per filler pod; they add up to the node's free count. */
  sizes: number[];
}

/**
 * Which node the overcommit test fills, and with which pods: preferably an idle node (free =
 * allocatable), the smallest one, filled by two pods where it has two or more free accelerators.
 */
export function planFill(nodes: readonly AcceleratorNode[]): FillPlan | undefined {
  const candidates = usable(nodes)
    .filter((n) => n.free > 0)
    .sort((a, b) => {
      const idle = Number(b.free === b.allocatable) - Number(a.free === a.allocatable);
      return idle || a.allocatable - b.allocatable || a.name.localeCompare(b.name);
    });
  const node = candidates[0];
  if (node === undefined) return undefined;
  const sizes = node.free >= 2 ? [Math.ceil(node.free / 2), Math.floor(node.free / 2)] : [node.free];
  return { node, sizes };
}

/** Reads nodes and unfinished pods and summarizes them (see summarizeAcceleratorNodes). */
export async function readAcceleratorNodes(kube: Kube, acc: Accelerator): Promise<AcceleratorNode[]> {
  const nodes = await kube.listAll<Node>('/api/v1/nodes');
  const pods = await kube.listAll<Pod>('/api/v1/pods', {
    fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
  });
  return summarizeAcceleratorNodes(nodes, pods, acc);
}
