/**
 * Where the inference autoscaling probe's custom metric comes from. Two sources, one interface:
 * - direct-write: an adapter that accepts values over HTTP (metricsWriteUrl, the custom-metrics
 *   test adapter's write API); the probe writes the queue depth of its Deployment (Object metric).
 * - pipeline: the platform's own path. The serving pods export the metric in Prometheus format, a
 *   load generator keeps requests in flight, the platform's monitoring scrapes the pods and its
 *   adapter serves the metric per pod through custom.metrics.k8s.io (Pods metric).
 * The choice is pure (unit-tested); the sources' effects live in direct-write.ts and pipeline.ts.
 */
import type { Parameters } from '../../../src/profiles/parameters.js';
import type { ProbeHandle } from '../../../src/runner/probe.js';
import { DirectWriteSource } from './direct-write.js';
import { PipelineSource } from './pipeline.js';

/** What a source acts on: the probe's serving Deployment (and its Service) and the metric. */
export interface ScalingTarget {
  p: ProbeHandle;
  namespace: string;
  /** Name of the Deployment, its Service and its HPA. */
  deployment: string;
  /** Label selector of the Deployment's pods. */
  podSelector: string;
  metric: string;
  /** The HPA's per-replica target (averageValue). */
  target: number;
}

export interface MetricSource {
  /** `direct-write to http://…` / `cluster pipeline`, for logs. */
  readonly description: string;
  /** The HPA metric type it feeds: one value for the Deployment, or one per pod. */
  readonly metricType: 'Object' | 'Pods';
  /** HPA template in suites/scheduling/manifests. */
  readonly hpaTemplate: string;
  /** Creates what the source needs besides the Deployment (scrape registration); the metric is low afterwards. */
  prepare(t: ScalingTarget): Promise<void>;
  /** Makes the metric's total over the Deployment about `total` (0: idle). Returns what it did, for the log. */
  drive(t: ScalingTarget, total: number): Promise<string>;
}

export const METRIC_SOURCES = ['auto', 'direct-write', 'pipeline'] as const;

/** Why no source is configured; names the parameters that would configure one. */
export const NO_SOURCE_REASON =
  'no inference metric source: set metricsWriteUrl (an adapter that accepts written values, e.g. the custom-metrics test adapter) or inferenceMetricSource=pipeline (the platform scrapes the serving pods and its adapter serves the metric through custom.metrics.k8s.io)';

export type SourceChoice = { source: MetricSource } | { skip: string } | { problem: string };

export function chooseMetricSource(params: Parameters): SourceChoice {
  const mode = String(params['inferenceMetricSource'] ?? 'auto');
  const writeUrl = String(params['metricsWriteUrl'] ?? '');
  const direct = (): SourceChoice => {
    let url: URL;
    try {
      url = new URL(writeUrl);
    } catch {
      return { problem: `metricsWriteUrl ${JSON.stringify(writeUrl)} is not a URL` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { problem: `metricsWriteUrl must be http(s), got ${url.protocol}` };
    return { source: new DirectWriteSource(url) };
  };
  switch (mode) {
    case 'direct-write':
      return writeUrl === '' ? { problem: 'inferenceMetricSource=direct-write needs metricsWriteUrl' } : direct();
    case 'pipeline':
      return { source: new PipelineSource() };
    default:
      return writeUrl === '' ? { skip: NO_SOURCE_REASON } : direct();
  }
}
