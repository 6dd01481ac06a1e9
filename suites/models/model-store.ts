/**
 * The shared read-only model store: which StorageClass to ask for a ReadOnlyMany claim, and
 * whether the cluster has the two nodes that sharing across nodes needs. Pure; the spec reads the
 * StorageClasses and Nodes.
 */
import type { KubeObject, Node } from '../../src/kube/objects.js';
import { ProbeError } from '../../src/runner/probe.js';

const DEFAULT_CLASS_ANNOTATIONS = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];

export type StoreClass = { name: string; named: boolean } | { skip: string };

/**
 * The class named by modelStorageClass (it must exist: a wrong name is an error), else the
 * cluster's default class; neither → skip, naming the parameter.
 */
export function chooseStorageClass(parameter: string, classes: readonly KubeObject[]): StoreClass {
  const names = classes.map((c) => c.metadata?.name ?? '');
  if (parameter !== '') {
    if (!names.includes(parameter)) {
      throw new ProbeError(
        `modelStorageClass ${parameter} does not exist (StorageClasses: ${names.join(', ') || 'none'})`,
      );
    }
    return { name: parameter, named: true };
  }
  const defaults = classes.filter((c) =>
    DEFAULT_CLASS_ANNOTATIONS.some((a) => c.metadata?.annotations?.[a] === 'true'),
  );
  const first = defaults[0]?.metadata?.name;
  if (first === undefined) {
    return { skip: 'parameter modelStorageClass is not set and the cluster has no default StorageClass' };
  }
  return { name: first, named: false };
}

/** Nodes a plain pod can land on: Ready, not cordoned, no NoSchedule/NoExecute taint. */
export function schedulableNodes(nodes: readonly Node[]): string[] {
  return nodes
    .filter((n) => n.spec?.unschedulable !== true)
    .filter((n) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True')
    .filter((n) => !(n.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'))
    .map((n) => n.metadata?.name ?? '');
}
