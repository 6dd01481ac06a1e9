/**
 * Well-known accelerator metrics exporters, per vendor of the accelerator table, and finding their
 * Services when the profile names no metricsEndpoint. Facts: the exporters' Helm charts and
 * operator manifests (NVIDIA GPU Operator / dcgm-exporter, AMD GPU Operator's device metrics
 * exporter, Intel XPU Manager, GKE's managed DCGM). The choice among Services is pure (unit-tested).
 */
import type { V1Service } from '@kubernetes/client-node';
import type { Raw } from '../../src/kube/objects.js';

export type Service = Raw<V1Service>;

export interface Exporter {
  /**
   * Service names (or `app` / `app.kubernetes.io/name` label values) the exporter is deployed
   * under; a release prefix is allowed (`gpu-operator-dcgm-exporter` matches `dcgm-exporter`).
   */
  names: string[];
  /** The port its metrics are served on. */
  port: number;
}

export const EXPORTERS: Record<string, Exporter[]> = {
  nvidia: [{ names: ['nvidia-dcgm-exporter', 'dcgm-exporter'], port: 9400 }],
  amd: [{ names: ['amd-device-metrics-exporter', 'metrics-exporter'], port: 5000 }],
  intel: [{ names: ['intel-xpumanager', 'xpumanager'], port: 29999 }],
};

function matchesName(id: string, name: string): boolean {
  return id === name || id.endsWith(`-${name}`);
}

export interface DiscoveredExporter {
  namespace: string;
  service: string;
  port: number;
  /** `namespace/service:port`, the metricsEndpoint spelling. */
  endpoint: string;
}

/** The exporters of a vendor in words: `nvidia-dcgm-exporter or dcgm-exporter (port 9400)`. */
export function describeExporters(vendor: string): string {
  return (
    (EXPORTERS[vendor] ?? []).map((e) => `${e.names.join(' or ')} (port ${String(e.port)})`).join('; ') || 'none known'
  );
}

function identities(svc: Service): string[] {
  const labels = svc.metadata?.labels ?? {};
  return [svc.metadata?.name ?? '', labels['app'] ?? '', labels['app.kubernetes.io/name'] ?? ''].filter(
    (n) => n !== '',
  );
}

/**
 * The Services that look like one of the vendor's exporters and expose its metrics port, sorted by
 * namespace and name (so the choice is stable).
 */
export function findExporterServices(services: readonly Service[], vendor: string): DiscoveredExporter[] {
  const found: DiscoveredExporter[] = [];
  for (const svc of services) {
    const ids = identities(svc);
    for (const exporter of EXPORTERS[vendor] ?? []) {
      if (!ids.some((id) => exporter.names.some((name) => matchesName(id, name)))) continue;
      if (!(svc.spec?.ports ?? []).some((p) => p.port === exporter.port)) continue;
      const namespace = svc.metadata?.namespace ?? 'default';
      const service = svc.metadata?.name ?? '';
      found.push({
        namespace,
        service,
        port: exporter.port,
        endpoint: `${namespace}/${service}:${String(exporter.port)}`,
      });
      break;
    }
  }
  return found.sort((a, b) => a.endpoint.localeCompare(b.endpoint));
}
