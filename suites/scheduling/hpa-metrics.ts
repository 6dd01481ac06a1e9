/**
 * Reading what the HPA and the custom metrics API say, for the inference autoscaling probe: the
 * metric value the HPA observed (status.currentMetrics), conditions that wait on it, whether the
 * APIServices of custom.metrics.k8s.io are Available, and MetricValueList answers. Pure, so it is
 * unit-tested without a cluster.
 */
import type { V1APIService } from '@kubernetes/client-node';
import { parseQuantity } from '../../src/kube/fingerprint.js';
import type { Deployment, HorizontalPodAutoscaler, Raw } from '../../src/kube/objects.js';
import type { Condition } from '../../src/kube/wait.js';

export const CUSTOM_METRICS_GROUP = 'custom.metrics.k8s.io';

export type APIService = Raw<V1APIService>;

/** Replicas the probe scales between: never more than there are free accelerators for. */
export const MAX_REPLICAS = 3;

export interface Observed {
  value: number;
  /** As the HPA wrote it: `30`, `29500m`. */
  quantity: string;
}

/** The value the HPA last observed for `metric` (per replica for AverageValue targets), if any. */
export function observedMetric(hpa: HorizontalPodAutoscaler | undefined, metric: string): Observed | undefined {
  for (const m of hpa?.status?.currentMetrics ?? []) {
    const status = m.type === 'Object' ? m.object : m.type === 'Pods' ? m.pods : undefined;
    if (status?.metric.name !== metric) continue;
    const q = status.current.averageValue ?? status.current.value;
    if (q === undefined) continue;
    const quantity = q;
    const value = parseQuantity(quantity);
    if (value !== undefined) return { value, quantity };
  }
  return undefined;
}

/** `desired=3, current=1, inference_queue_depth=30 (target 10), ScalingActive=False (…)` */
export function describeHpa(hpa: HorizontalPodAutoscaler | undefined, metric: string, target: number): string {
  if (hpa === undefined) return 'not found';
  const s = hpa.status;
  const seen = observedMetric(hpa, metric);
  const parts = [
    `desired=${String(s?.desiredReplicas ?? '?')}`,
    `current=${String(s?.currentReplicas ?? '?')}`,
    `${metric}=${seen === undefined ? 'not observed' : seen.quantity} (target ${String(target)})`,
  ];
  for (const c of s?.conditions ?? []) {
    if (c.status !== 'True' || c.type === 'ScalingLimited')
      parts.push(`${c.type}=${c.status} (${c.reason ?? ''}: ${c.message ?? ''})`);
  }
  return parts.join(', ');
}

export interface HpaReading {
  desired: number;
  observed: Observed;
}

/** The HPA wants a replica count satisfying `pred` while having observed the metric. */
export function hpaWants(
  metric: string,
  target: number,
  expected: string,
  pred: (desired: number, observed: Observed) => boolean,
): Condition<HorizontalPodAutoscaler | undefined, HpaReading> {
  return {
    description: `to want ${expected} replicas on an observed ${metric}`,
    test(hpa) {
      const desired = hpa?.status?.desiredReplicas;
      const observed = observedMetric(hpa, metric);
      if (desired === undefined || observed === undefined || !pred(desired, observed)) return false;
      return { done: true, value: { desired, observed } };
    },
    describe: (hpa) => describeHpa(hpa, metric, target),
  };
}

/** The Deployment runs exactly `n` replicas: spec, status and available all agree (old pods gone). */
export function deploymentAt(n: number): Condition<Deployment | undefined, Deployment> {
  return {
    description: `to run exactly ${String(n)} available replica${n === 1 ? '' : 's'}`,
    test(d) {
      if (d === undefined) return false;
      const s = d.status ?? {};
      return d.spec?.replicas === n &&
        s.replicas === n &&
        s.availableReplicas === n &&
        (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
        ? { done: true, value: d }
        : false;
    },
    describe(d) {
      if (d === undefined) return 'not found';
      const s = d.status ?? {};
      return `spec.replicas=${String(d.spec?.replicas ?? '?')}, replicas=${String(s.replicas ?? 0)}, available=${String(s.availableReplicas ?? 0)}`;
    },
  };
}

export interface ApiAvailability {
  /** APIService names serving the group that are Available. */
  available: string[];
  /** One line per APIService that is not, with its condition; or why there is none. */
  problems: string[];
}

/**
 * Judges the APIServices of `group`: each must be Available. No APIService at all is a problem
 * too: the HPA then has no custom metrics to read.
 */
export function judgeApiServices(
  services: readonly APIService[],
  group: string = CUSTOM_METRICS_GROUP,
): ApiAvailability {
  const mine = services
    .filter((s) => s.spec?.group === group)
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  if (mine.length === 0)
    return {
      available: [],
      problems: [`no APIService serves ${group} (install a custom metrics adapter such as prometheus-adapter or KEDA)`],
    };
  const available: string[] = [];
  const problems: string[] = [];
  for (const s of mine) {
    const name = s.metadata?.name ?? '?';
    const c = s.status?.conditions?.find((x) => x.type === 'Available');
    if (c?.status === 'True') {
      available.push(name);
      continue;
    }
    const backend = s.spec?.service
      ? ` (service ${s.spec.service.namespace ?? ''}/${s.spec.service.name ?? ''}:${String(s.spec.service.port ?? 443)})`
      : '';
    const why =
      c === undefined
        ? 'no Available condition yet'
        : `Available=${c.status}: ${[c.reason, c.message].filter(Boolean).join(': ')}`;
    problems.push(`APIService ${name}${backend} is not Available (${why})`);
  }
  return { available, problems };
}

export interface MetricValue {
  /** `pods/inference-7d9-abc` or `deployments.apps/inference`. */
  object: string;
  value: number;
}

/** A custom.metrics.k8s.io answer (MetricValueList, or a single MetricValue) as values. */
export function parseMetricValues(body: unknown): MetricValue[] {
  const list = body as { items?: unknown[]; value?: unknown; describedObject?: unknown } | undefined;
  const items = Array.isArray(list?.items) ? list.items : list?.value !== undefined ? [list] : [];
  return items.flatMap((raw) => {
    const item = raw as { describedObject?: { kind?: string; name?: string }; value?: unknown };
    const value =
      typeof item.value === 'string'
        ? parseQuantity(item.value)
        : typeof item.value === 'number'
          ? item.value
          : undefined;
    if (value === undefined) return [];
    return [
      { object: `${(item.describedObject?.kind ?? '?').toLowerCase()}/${item.describedObject?.name ?? '?'}`, value },
    ];
  });
}

/** How far the probe can scale: min(MAX_REPLICAS, free accelerators), at least 2 to show a change. */
export function maxReplicasFor(freeAccelerators: number): number | undefined {
  const n = Math.min(MAX_REPLICAS, freeAccelerators);
  return n >= 2 ? n : undefined;
}
