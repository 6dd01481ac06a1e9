/**
 * The gang probe's quota math: what the cluster can hold, and the smallest gang it cannot. Pure,
 * so it is unit-tested.
 */
import { parseQuantity } from '../../../src/kube/fingerprint.js';
import type { Node } from '../../../src/kube/objects.js';
import type { Accelerator } from '../../../src/requirements/accelerators.js';
import { summarizeAcceleratorNodes, usable } from '../../shared/accelerator-nodes.js';

export interface GangCapacity {
  resource: string;
  /** Allocatable accelerators over the nodes a probe pod can use. */
  total: number;
  /** The most one of those nodes has. */
  largestNode: number;
  /** How many of those nodes have any. */
  nodes: number;
  /** Allocatable cpu (cores) and memory (bytes) over the same usable nodes. */
  cpu: number;
  memoryBytes: number;
}

export function gangCapacity(nodes: readonly Node[], acc: Accelerator): GangCapacity {
  const summaries = usable(summarizeAcceleratorNodes(nodes, [], acc));
  const names = new Set(summaries.map((n) => n.name));
  const withResource = summaries.filter((n) => n.allocatable > 0);
  const sum = (resource: string): number =>
    nodes
      .filter((n) => names.has(n.metadata?.name ?? ''))
      .reduce((total, n) => total + (parseQuantity(n.status?.allocatable?.[resource] ?? '0') ?? 0), 0);
  return {
    resource: acc.resource,
    total: withResource.reduce((t, n) => t + n.allocatable, 0),
    largestNode: Math.max(0, ...withResource.map((n) => n.allocatable)),
    nodes: withResource.length,
    cpu: sum('cpu'),
    memoryBytes: sum('memory'),
  };
}

/**
 * The negative test's gang: pods as large as the largest node (so each fits somewhere on its own),
 * one more of them than the cluster, and the solution's quota, can hold together. Its demand
 * exceeds both, so no solution may start any of it.
 */
export function oversizedGang(cap: GangCapacity, quota?: number): { pods: number; perPod: number; demand: number } {
  const perPod = Math.max(1, cap.largestNode);
  const limit = Math.max(cap.total, quota ?? 0);
  const pods = Math.max(2, Math.floor(limit / perPod) + 1);
  return { pods, perPod, demand: pods * perPod };
}

/** `24 nvidia.com/gpu on 4 nodes (at most 8 on one)` */
export function describeCapacity(cap: GangCapacity): string {
  return `${String(cap.total)} ${cap.resource} on ${String(cap.nodes)} node${cap.nodes === 1 ? '' : 's'} (at most ${String(cap.largestNode)} on one)`;
}
