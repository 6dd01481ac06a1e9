/**
 * Events about one object (`FailedScheduling … Insufficient nvidia.com/gpu`), read directly or
 * awaited with waitFor(eventsTarget(ref), eventSeen(...)), since events arrive after the fact.
 */
import type { Kube } from './client.js';
import type { Condition } from './wait.js';
import type { Event, ListTarget, ObjectRef } from './objects.js';

export interface EventFilter {
  reason?: string;
  /** Substring of the event message, e.g. `Insufficient`. */
  messageIncludes?: string;
  type?: 'Normal' | 'Warning';
}

/** Field selector on involvedObject; add the uid to ignore events of an earlier object of the same name. */
export function eventFieldSelector(ref: ObjectRef & { uid?: string }): string {
  const parts = [`involvedObject.kind=${ref.kind}`, `involvedObject.name=${ref.name}`];
  if (ref.namespace !== undefined) parts.push(`involvedObject.namespace=${ref.namespace}`);
  if (ref.uid !== undefined) parts.push(`involvedObject.uid=${ref.uid}`);
  return parts.join(',');
}

/** The Event list for one object, as a waitFor target. Cluster-scoped objects' events are searched everywhere. */
export function eventsTarget(ref: ObjectRef & { uid?: string }): ListTarget {
  const target: ListTarget = { apiVersion: 'v1', kind: 'Event', fieldSelector: eventFieldSelector(ref) };
  if (ref.namespace !== undefined) target.namespace = ref.namespace;
  return target;
}

function eventTime(e: Event): string {
  return e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';
}

export function eventMatches(e: Event, filter: EventFilter): boolean {
  return (
    (filter.reason === undefined || e.reason === filter.reason) &&
    (filter.type === undefined || e.type === filter.type) &&
    (filter.messageIncludes === undefined || (e.message ?? '').includes(filter.messageIncludes))
  );
}

/** `FailedScheduling: 0/6 nodes are available: …` */
export function describeEvent(e: Event): string {
  const count = (e.count ?? 1) > 1 ? ` (x${String(e.count)})` : '';
  return `${e.reason ?? '?'}: ${(e.message ?? '').trim()}${count}`;
}

/** Events about `ref`, oldest first, optionally filtered. */
export async function listEvents(
  kube: Kube,
  ref: ObjectRef & { uid?: string },
  filter: EventFilter = {},
): Promise<Event[]> {
  const path =
    ref.namespace === undefined ? '/api/v1/events' : `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/events`;
  const list = await kube.getJson<{ items?: Event[] }>(path, { fieldSelector: eventFieldSelector(ref) });
  return (list.items ?? [])
    .filter((e) => eventMatches(e, filter))
    .sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
}

/** For waitFor on eventsTarget(ref): an event matching `filter` exists; returns it. */
export function eventSeen(filter: EventFilter): Condition<Event[], Event> {
  const wanted = [
    filter.type,
    filter.reason,
    filter.messageIncludes === undefined ? undefined : `"…${filter.messageIncludes}…"`,
  ]
    .filter((s) => s !== undefined)
    .join(' ');
  return {
    description: `to include a ${wanted === '' ? 'matching' : wanted} event`,
    test(events) {
      const hit = events.find((e) => eventMatches(e, filter));
      return hit === undefined ? false : { done: true, value: hit };
    },
    describe: (events) =>
      events.length === 0
        ? 'no events'
        : `${String(events.length)} events, latest: ${describeEvent([...events].sort((a, b) => eventTime(a).localeCompare(eventTime(b))).at(-1) as Event)}`,
  };
}
