/**
 * Finding the platform's Prometheus when the profile names no prometheusUrl, by the Service names
 * the common installations use (facts: the prometheus-operator's governing Service, kube-prometheus,
 * the kube-prometheus-stack and prometheus-community/prometheus Helm charts). The choice is pure
 * (unit-tested); the probe lists the cluster's Services and reaches the chosen one through the API
 * server's service proxy.
 */
import type { Service } from './metrics-exporters.js';

export type { Service };

/** In order of preference: the first kind found wins. `-<name>` suffixes (Helm releases) match too. */
export const PROMETHEUS_SERVICES: readonly { name: string; port: number; from: string }[] = [
  { name: 'prometheus-operated', port: 9090, from: 'prometheus-operator' },
  { name: 'prometheus-k8s', port: 9090, from: 'kube-prometheus' },
  { name: 'prometheus', port: 9090, from: 'kube-prometheus-stack (<release>-prometheus) or a plain install' },
  { name: 'prometheus-server', port: 80, from: 'prometheus-community/prometheus chart' },
];

export interface DiscoveredPrometheus {
  /** `namespace/service:port`, the prometheusUrl spelling. */
  endpoint: string;
  from: string;
}

/** The rule in words, for skip messages and docs. */
export function describePrometheusServices(): string {
  return PROMETHEUS_SERVICES.map((s) => `${s.name}:${String(s.port)}`).join(', ');
}

/** Every Service that looks like a Prometheus query API, best first (then by namespace/name). */
export function findPrometheusServices(services: readonly Service[]): DiscoveredPrometheus[] {
  const found: { rank: number; d: DiscoveredPrometheus }[] = [];
  for (const svc of services) {
    const name = svc.metadata?.name ?? '';
    const namespace = svc.metadata?.namespace ?? 'default';
    const rank = PROMETHEUS_SERVICES.findIndex(
      (k) => (name === k.name || name.endsWith(`-${k.name}`)) && (svc.spec?.ports ?? []).some((p) => p.port === k.port),
    );
    const kind = PROMETHEUS_SERVICES[rank];
    if (kind === undefined) continue;
    found.push({ rank, d: { endpoint: `${namespace}/${name}:${String(kind.port)}`, from: kind.from } });
  }
  return found.sort((a, b) => a.rank - b.rank || a.d.endpoint.localeCompare(b.d.endpoint)).map((f) => f.d);
}
