/**
 * pipeline: the metric takes the platform's own path. The serving pods export their queue depth
 * (requests in flight) in Prometheus format under the customMetric name; a load generator keeps
 * `total` requests in flight against the serving Service; the platform's monitoring scrapes the
 * pods (pod annotations, or a PodMonitor where the Prometheus operator is installed) and its
 * adapter (prometheus-adapter, KEDA, a vendor's) serves the metric per pod through
 * custom.metrics.k8s.io. Nothing here writes a value: if the platform's path is broken, the HPA
 * never sees the load.
 */
import { isNotFound } from '../../../src/kube/api-error.js';
import { registerScrape, STUB_PORT } from '../../observability/serving-stub.js';
import type { MetricSource, ScalingTarget } from './source.js';

/** How long each generated request stays in flight. */
const HOLD_MS = 1000;

export function loadGeneratorName(deployment: string): string {
  return `${deployment}-load`;
}

export class PipelineSource implements MetricSource {
  readonly metricType = 'Pods' as const;
  readonly hpaTemplate = 'inference-hpa-pods.yaml';
  readonly description =
    'cluster pipeline (serving pods exporting the metric, the platform scraping them and serving it through custom.metrics.k8s.io)';

  async prepare(t: ScalingTarget): Promise<void> {
    t.p.log(`scraping asked for by ${await registerScrape(t.p, t.deployment)}`);
  }

  async drive(t: ScalingTarget, total: number): Promise<string> {
    const name = loadGeneratorName(t.deployment);
    if (total <= 0) {
      try {
        await t.p.kube.apps.deleteNamespacedDeployment({ name, namespace: t.namespace, gracePeriodSeconds: 0 });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return `stopped the load generator ${name}`;
    }
    await t.p.create('scheduling', 'inference-load.yaml', {
      name,
      probeImage: t.p.param('probeImage'),
      service: t.deployment,
      port: STUB_PORT,
      concurrency: total,
      holdMs: HOLD_MS,
    });
    return `started the load generator ${name}: ${String(total)} requests in flight of ${String(HOLD_MS)}ms each against service ${t.deployment}`;
  }
}
