/**
 * One-line summaries of an object's state, for timeout messages, heartbeats and probe logs:
 * `phase=Pending, PodScheduled=False (Unschedulable: 0/6 nodes are available: …)`.
 */
import type { Deployment, Job, KubeObject, Pod } from './objects.js';
import { objectName } from './objects.js';

export interface StatusCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

const MAX_MESSAGE = 200;

export function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > MAX_MESSAGE ? `${one.slice(0, MAX_MESSAGE - 1)}…` : one;
}

/** `Ready=False (Reason: message)`; the reason/message part only when there is one. */
export function conditionText(c: StatusCondition): string {
  const why = [c.reason, c.message].filter((s) => s !== undefined && s !== '').join(': ');
  return `${c.type ?? '?'}=${c.status ?? '?'}${why === '' ? '' : ` (${clip(why)})`}`;
}

export function conditionsOf(obj: KubeObject | undefined): StatusCondition[] {
  const status = obj?.status as { conditions?: unknown } | undefined;
  return Array.isArray(status?.conditions) ? (status.conditions as StatusCondition[]) : [];
}

export function findCondition(obj: KubeObject | undefined, type: string): StatusCondition | undefined {
  return conditionsOf(obj).find((c) => c.type === type);
}

export function deletingText(obj: KubeObject): string {
  const m = obj.metadata;
  if (m?.deletionTimestamp === undefined) return '';
  const f = m.finalizers ?? [];
  return `, deleting since ${m.deletionTimestamp}${f.length > 0 ? ` (finalizers: ${f.join(', ')})` : ''}`;
}

/** Any object: phase, then its conditions. `not found` when absent. */
export function describeObject(obj: KubeObject | undefined): string {
  if (obj === undefined) return 'not found';
  const phase = (obj.status as { phase?: unknown } | undefined)?.phase;
  const parts: string[] = [];
  if (typeof phase === 'string') parts.push(`phase=${phase}`);
  parts.push(...conditionsOf(obj).map(conditionText));
  return `${parts.length > 0 ? parts.join(', ') : 'no status yet'}${deletingText(obj)}`;
}

/** A list: how many, and a summary of the first few. */
export function describeObjects(objs: readonly KubeObject[], one: (o: KubeObject) => string = describeObject): string {
  if (objs.length === 0) return 'no objects';
  const shown = objs.slice(0, 3).map((o) => `${objectName(o)}: ${one(o)}`);
  const more = objs.length > 3 ? `; and ${String(objs.length - 3)} more` : '';
  return `${String(objs.length)} object${objs.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}`;
}

/** Pod phase, scheduling and container states: what decides whether it will ever run. */
export function describePod(pod: Pod | undefined): string {
  if (pod === undefined) return 'not found';
  const parts = [`phase=${pod.status?.phase ?? 'unknown'}`];
  const scheduled = findCondition(pod, 'PodScheduled');
  if (pod.spec?.nodeName !== undefined) parts.push(`node=${pod.spec.nodeName}`);
  else if (scheduled !== undefined) parts.push(conditionText(scheduled));
  for (const c of pod.status?.containerStatuses ?? []) {
    const w = c.state?.waiting;
    const t = c.state?.terminated;
    if (w !== undefined)
      parts.push(`container ${c.name} waiting (${clip([w.reason, w.message].filter(Boolean).join(': '))})`);
    if (t !== undefined) parts.push(`container ${c.name} terminated (${t.reason ?? ''}, exit ${String(t.exitCode)})`);
  }
  if (pod.status?.reason !== undefined) parts.push(`reason=${pod.status.reason}`);
  return parts.join(', ') + deletingText(pod);
}

export function describePods(pods: readonly Pod[]): string {
  if (pods.length === 0) return 'no pods';
  const byPhase = new Map<string, number>();
  for (const p of pods) byPhase.set(p.status?.phase ?? 'Unknown', (byPhase.get(p.status?.phase ?? 'Unknown') ?? 0) + 1);
  const phases = [...byPhase.entries()].map(([phase, n]) => `${String(n)} ${phase}`).join(', ');
  // One unscheduled pod's reason usually explains them all (Insufficient nvidia.com/gpu).
  const stuck = pods.find((p) => findCondition(p, 'PodScheduled')?.status === 'False');
  const why =
    stuck === undefined ? '' : `; ${objectName(stuck)}: ${conditionText(findCondition(stuck, 'PodScheduled') ?? {})}`;
  return `${String(pods.length)} pod${pods.length === 1 ? '' : 's'}: ${phases}${why}`;
}

export function describeJob(job: Job | undefined): string {
  if (job === undefined) return 'not found';
  const s = job.status ?? {};
  const counts = `active=${String(s.active ?? 0)}, succeeded=${String(s.succeeded ?? 0)}, failed=${String(s.failed ?? 0)}`;
  const suspended = job.spec?.suspend === true ? ', suspended' : '';
  const conditions = conditionsOf(job)
    .filter((c) => c.status === 'True')
    .map(conditionText);
  return [counts + suspended, ...conditions].join(', ') + deletingText(job);
}

export function describeDeployment(d: Deployment | undefined): string {
  if (d === undefined) return 'not found';
  const s = d.status ?? {};
  const counts = `replicas=${String(s.replicas ?? 0)}, available=${String(s.availableReplicas ?? 0)}, ready=${String(s.readyReplicas ?? 0)}`;
  const notTrue = conditionsOf(d)
    .filter((c) => c.status !== 'True')
    .map(conditionText);
  return [counts, ...notTrue].join(', ');
}

/** `850ms`, `4.2s`, `60s`, `2m30s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${String(Math.round(ms))}ms`;
  if (ms < 10_000) return `${String(Math.round(ms / 100) / 10)}s`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${String(s)}s` : `${String(Math.floor(s / 60))}m${String(s % 60)}s`;
}
