/**
 * What the metrics probes' discovery shares: reading every Service of the cluster, and naming the
 * other candidates after the chosen one. Which Services qualify is each probe's own pure rule
 * (metrics-exporters.ts, monitoring-discovery.ts).
 */
import type { Kube } from '../../src/kube/client.js';
import { ProbeError } from '../../src/runner/probe.js';
import type { Service } from './metrics-exporters.js';

/** Every Service of the cluster (paginated); a cluster failure stays a ClusterError. */
export async function listServicesToDiscover(kube: Kube, what: string): Promise<Service[]> {
  try {
    return await kube.listAll<Service>('/api/v1/services');
  } catch (err) {
    throw (
      kube.clusterError(err) ??
      new ProbeError(`cannot list Services to discover ${what}: ${(err as Error).message}`, { cause: err })
    );
  }
}

/** `; also found a, b` for the candidates after the first, or '' when there is only one. */
export function alsoFound(found: readonly { endpoint: string }[]): string {
  return found.length > 1
    ? `; also found ${found
        .slice(1)
        .map((f) => f.endpoint)
        .join(', ')}`
    : '';
}
