/**
 * direct-write: the probe writes the metric's value into an adapter that serves what it is given,
 * with the write API of kubernetes-sigs/custom-metrics-apiserver's test adapter:
 * `POST <metricsWriteUrl>/namespaces/<ns>/<resource>/<name>/<metric>`, body a JSON quantity (`"30"`).
 * The value is an Object metric on the serving Deployment: the queue depth of the whole service.
 */
import { httpRequest, redact, UnreachableError } from '../../../src/metrics/http.js';
import { ProbeError } from '../../../src/runner/probe.js';
import type { MetricSource, ScalingTarget } from './source.js';

/** The write URL of one object's metric below the adapter's base URL. */
export function writeUrl(base: URL, namespace: string, resource: string, name: string, metric: string): URL {
  const url = new URL(base.toString());
  const segments = ['namespaces', namespace, resource, name, metric].map(encodeURIComponent);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${segments.join('/')}`;
  return url;
}

export class DirectWriteSource implements MetricSource {
  readonly metricType = 'Object' as const;
  readonly hpaTemplate = 'inference-hpa-object.yaml';
  readonly description: string;

  constructor(private readonly base: URL) {
    this.description = `direct-write to ${redact(base)}`;
  }

  async prepare(t: ScalingTarget): Promise<void> {
    await this.drive(t, 0);
  }

  async drive(t: ScalingTarget, total: number): Promise<string> {
    const url = writeUrl(this.base, t.namespace, 'deployments.apps', t.deployment, t.metric);
    let status: number;
    let text: string;
    try {
      ({ status, text } = await httpRequest(url, {
        method: 'POST',
        body: JSON.stringify(String(total)),
        headers: { 'content-type': 'application/json' },
      }));
    } catch (err) {
      if (err instanceof UnreachableError)
        throw new ProbeError(`cannot write the metric to metricsWriteUrl: ${err.message}`, { cause: err });
      throw err;
    }
    if (status < 200 || status >= 300) {
      throw new ProbeError(
        `metricsWriteUrl refused the value: POST ${redact(url)}: HTTP ${String(status)}: ${text.slice(0, 200)}`,
      );
    }
    return `wrote ${t.metric} = ${String(total)} for deployments.apps/${t.deployment}`;
  }
}
