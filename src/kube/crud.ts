/**
 * Reading, listing and deleting any kind by apiVersion/kind through discovery: the operations
 * behind the probe handle's `get`, `list` and `deleteIfPresent` (runner/probe.ts).
 */
import { isNotFound } from './api-error.js';
import type { Kube, Query } from './client.js';
import type { KubeObject, ListTarget, ObjectRef } from './objects.js';

/** The object as the server has it now, or undefined when it does not exist. */
export async function getObject<T extends KubeObject = KubeObject>(kube: Kube, ref: ObjectRef): Promise<T | undefined> {
  const path = `${await kube.collectionPath(ref.apiVersion, ref.kind, ref.namespace)}/${encodeURIComponent(ref.name)}`;
  try {
    return await kube.getJson<T>(path);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Every object of the target, 500 a page (Kube.listAll). */
export async function listObjects<T = KubeObject>(kube: Kube, target: ListTarget): Promise<T[]> {
  const query: Query = {};
  if (target.labelSelector !== undefined) query['labelSelector'] = target.labelSelector;
  if (target.fieldSelector !== undefined) query['fieldSelector'] = target.fieldSelector;
  return kube.listAll<T>(await kube.collectionPath(target.apiVersion, target.kind, target.namespace), query);
}

export interface DeleteOptions {
  /** Default Background: the object goes at once, its dependents after it. */
  propagation?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
}

/** Deletes the object; true when it was there, false when it was already gone. */
export async function deleteIfPresent(kube: Kube, ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
  const target = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
  try {
    await kube.objects.delete(
      target,
      undefined,
      undefined,
      options.gracePeriodSeconds,
      undefined,
      options.propagation ?? 'Background',
    );
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
