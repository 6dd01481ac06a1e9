/**
 * Shapes of Kubernetes objects as the API server sends them, and references to them.
 *
 * Waits, events and fingerprints read raw JSON (lists and watch events alike), so timestamps are
 * strings, not the `Date`s that client-node's model classes declare. `Raw<V1Pod>` says exactly that.
 */
import type {
  CoreV1Event,
  ResourceV1ResourceClaim,
  V1Deployment,
  V1Job,
  V1Namespace,
  V1Node,
  V1ObjectMeta,
  V1Pod,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';

/** A client-node model type as JSON: every `Date` becomes the RFC 3339 string the server sent. */
export type Raw<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Raw<U>[]
    : T extends object
      ? { [K in keyof T]: Raw<T[K]> }
      : T;

/** Any object the API server returns; specific kinds narrow it (`Pod`, `Job`, ...). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: Raw<V1ObjectMeta>;
  [field: string]: unknown;
}

export type Pod = Raw<V1Pod>;
export type Job = Raw<V1Job>;
export type Deployment = Raw<V1Deployment>;
export type HorizontalPodAutoscaler = Raw<V2HorizontalPodAutoscaler>;
export type ResourceClaim = Raw<ResourceV1ResourceClaim>;
export type Event = Raw<CoreV1Event>;
export type Node = Raw<V1Node>;
export type Namespace = Raw<V1Namespace>;

/** One object, by name. `namespace` is omitted for cluster-scoped kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** Every object of a kind in a namespace (or cluster-wide) that matches the selectors. */
export interface ListTarget {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export function isObjectRef(target: ObjectRef | ListTarget): target is ObjectRef {
  return typeof (target as Partial<ObjectRef>).name === 'string';
}

/** The reference of an object returned by the API (raw JSON or a client-node model). */
export function refOf(obj: {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}): ObjectRef {
  const name = obj.metadata?.name;
  if (obj.apiVersion === undefined || obj.kind === undefined || name === undefined) {
    throw new Error(`object has no apiVersion, kind or metadata.name: ${JSON.stringify(obj).slice(0, 200)}`);
  }
  const namespace = obj.metadata?.namespace;
  return namespace === undefined
    ? { apiVersion: obj.apiVersion, kind: obj.kind, name }
    : { apiVersion: obj.apiVersion, kind: obj.kind, namespace, name };
}

/** `pod aic-x/p1`, `deviceclass gpu.nvidia.com`, `pods in aic-x with app=w`: the wording of logs and errors. */
export function describeTarget(target: ObjectRef | ListTarget): string {
  const kind = target.kind.toLowerCase();
  if (isObjectRef(target)) {
    return `${kind} ${target.namespace === undefined ? '' : `${target.namespace}/`}${target.name}`;
  }
  const plural = kind.endsWith('s') ? `${kind}es` : kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : `${kind}s`;
  const where = target.namespace === undefined ? ' in all namespaces' : ` in ${target.namespace}`;
  const selectors = [target.labelSelector, target.fieldSelector].filter((s) => s !== undefined && s !== '');
  return `${plural}${where}${selectors.length > 0 ? ` with ${selectors.join(',')}` : ''}`;
}

/** `ns/name` or `name`, for lists of objects in messages. */
export function objectName(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '?';
  return ns === undefined ? name : `${ns}/${name}`;
}
