/**
 * Which nodes have accelerators and how many, from labels (GPU feature discovery, NFD, TPU) and
 * allocatable extended resources. Pure functions over Node objects, so unit-tested without a cluster.
 */
import type { Node } from './objects.js';

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
