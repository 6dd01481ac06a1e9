/**
 * The chain of objects an operator's controller made for one CR (TrainJob → JobSet → Job → Pod),
 * followed by ownerReferences, so the probe can show that the CR was reconciled through the
 * operator's own children and not merely marked done. `childChain` is pure (unit-tested);
 * `readChildChain` lists each level in the probe's namespace.
 */
import type { Kube } from '../../src/kube/client.js';
import type { KubeObject } from '../../src/kube/objects.js';
import { conditionsOf, conditionText } from '../../src/kube/status-text.js';
import type { ChildKind } from './operators.js';

export interface ChainLevel {
  kind: string;
  /** Objects of this kind owned by an object of the level above (the CR for the first level). */
  objects: KubeObject[];
  /** Of those, the ones that finished their work (condition True or phase reached). */
  done: KubeObject[];
}

function isDone(obj: KubeObject, child: ChildKind): boolean {
  if ('phase' in child.done) return (obj.status as { phase?: string } | undefined)?.phase === child.done.phase;
  const type = child.done.condition;
  return conditionsOf(obj).some((c) => c.type === type && c.status === 'True');
}

/** Follows ownerReferences (by uid) from the CR down through the given lists, one list per level. */
export function childChain(rootUid: string, kinds: readonly ChildKind[], lists: readonly KubeObject[][]): ChainLevel[] {
  const levels: ChainLevel[] = [];
  let owners = new Set([rootUid]);
  kinds.forEach((child, i) => {
    const objects = (lists[i] ?? []).filter((o) => (o.metadata?.ownerReferences ?? []).some((r) => owners.has(r.uid)));
    levels.push({ kind: child.kind, objects, done: objects.filter((o) => isDone(o, child)) });
    owners = new Set(objects.map((o) => o.metadata?.uid ?? ''));
  });
  return levels;
}

/** The first level that has no object, or whose objects are not all done; undefined when the chain is complete. */
export function incompleteLevel(levels: readonly ChainLevel[]): ChainLevel | undefined {
  return levels.find((l) => l.objects.length === 0 || l.done.length < l.objects.length);
}

function describeOne(obj: KubeObject): string {
  const name = obj.metadata?.name ?? '?';
  const status = obj.status as { phase?: string } | undefined;
  const node = (obj.spec as { nodeName?: string } | undefined)?.nodeName;
  if (status?.phase !== undefined) return `${name} (${status.phase}${node === undefined ? '' : ` on ${node}`})`;
  const conditions = conditionsOf(obj).filter((c) => c.status === 'True');
  return conditions.length === 0
    ? `${name} (no status conditions)`
    : `${name} (${conditions.map(conditionText).join(', ')})`;
}

/** `JobSet a (Completed=True) → Job a-node-0 (Complete=True) → Pod a-node-0-0-x (Succeeded on n1)`. */
export function describeChain(levels: readonly ChainLevel[], owner: string): string {
  const parts: string[] = [];
  let above = owner;
  for (const l of levels) {
    if (l.objects.length === 0) {
      parts.push(`no ${l.kind} owned by ${above}`);
      break;
    }
    parts.push(`${l.kind} ${l.objects.map(describeOne).join(', ')}`);
    above = `${l.kind} ${l.objects.map((o) => o.metadata?.name ?? '?').join(', ')}`;
  }
  return parts.join(' → ');
}

/** Lists each child kind in `namespace` and follows ownership from the CR with uid `rootUid`. */
export async function readChildChain(
  kube: Kube,
  namespace: string,
  rootUid: string,
  kinds: readonly ChildKind[],
): Promise<ChainLevel[]> {
  const lists: KubeObject[][] = [];
  for (const child of kinds) {
    const resource = await kube.resource(child.apiVersion, child.kind);
    lists.push(
      resource === undefined
        ? []
        : await kube.listAll<KubeObject>(await kube.collectionPath(child.apiVersion, child.kind, namespace)),
    );
  }
  return childChain(rootUid, kinds, lists);
}
