/**
 * The serving stub shared by the AI service metrics and inference autoscaling probes: its script
 * (manifests/serving-stub.py, mounted from a ConfigMap), the placeholders of the manifests that run
 * it, the scrape registration for the platform's monitoring, and requests to it through the API
 * server's service proxy.
 */
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../../src/kube/objects.js';
import { fetchFromEndpoint } from '../../src/metrics/endpoint.js';
import { manifestFile } from '../../src/paths.js';
import type { ProbeHandle } from '../../src/runner/probe.js';

export const STUB_PORT = 8000;
export const STUB_METRIC_PREFIX = 'ai_conformance_inference';
export const REQUESTS_METRIC = `${STUB_METRIC_PREFIX}_requests_total`;
export const DURATION_METRIC = `${STUB_METRIC_PREFIX}_request_duration_seconds`;
export const QUEUE_METRIC = `${STUB_METRIC_PREFIX}_queue_depth`;
/** Histogram buckets the stub writes (plus +Inf). */
export const STUB_BUCKETS = 11;

let script: string | undefined;

/** The stub's Python source, read once. */
export function stubScript(): string {
  script ??= readFileSync(manifestFile('observability', 'serving-stub.py'), 'utf8');
  return script;
}

/** The `conformance_run` label value of this probe's stub: its namespace, unique per run and probe. */
export function conformanceRun(p: ProbeHandle): string {
  return p.namespace;
}

/** Placeholders every stub manifest uses. */
export function stubParams(p: ProbeHandle, name: string): Record<string, string | number> {
  return {
    name,
    port: STUB_PORT,
    stubImage: p.param('servingStubImage'),
    stubScript: stubScript(),
    run: conformanceRun(p),
  };
}

/** `key=value` strings (the scrapeLabels parameter) as labels; malformed entries are reported. */
export function parseLabelList(entries: readonly string[]): { labels: Record<string, string>; problems: string[] } {
  const labels: Record<string, string> = {};
  const problems: string[] = [];
  for (const entry of entries) {
    const m = /^([^=\s]+)=(\S*)$/.exec(entry.trim());
    if (m === null) problems.push(`${JSON.stringify(entry)} is not key=value`);
    else labels[m[1] ?? ''] = m[2] ?? '';
  }
  return { labels, problems };
}

/**
 * Asks the platform's monitoring to scrape the stub pods selected by `ai-conformance.io/stub=<name>`:
 * a PodMonitor where monitoring.coreos.com/v1 is served (labelled with scrapeLabels); the pods'
 * prometheus.io annotations cover annotation-based scraping. Returns how, for the log.
 */
export async function registerScrape(p: ProbeHandle, name: string): Promise<string> {
  const served = await p.kube.resource('monitoring.coreos.com/v1', 'PodMonitor');
  if (served === undefined)
    return 'pod annotations prometheus.io/scrape, port, path (monitoring.coreos.com/v1 PodMonitor is not served)';
  const raw = p.params['scrapeLabels'];
  const { labels, problems } = parseLabelList(Array.isArray(raw) ? raw : []);
  if (problems.length > 0) throw new Error(`scrapeLabels: ${problems.join('; ')}`);
  await p.create('observability', 'serving-stub-podmonitor.yaml', { name }, (obj: KubeObject) => {
    const metadata = (obj.metadata ??= {});
    metadata.labels = { ...metadata.labels, ...labels };
  });
  const extra = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return `PodMonitor ${name}${extra.length > 0 ? ` labelled ${extra.join(', ')}` : ''}, and pod annotations prometheus.io/scrape`;
}

/** GET `path` on the stub's Service through the API server's service proxy; throws unless HTTP 200. */
export async function callStub(
  p: ProbeHandle,
  service: string,
  path: string,
  query: Record<string, string> = {},
): Promise<string> {
  const res = await fetchFromEndpoint(
    p.kube,
    { kind: 'service', namespace: p.namespace, service, port: String(STUB_PORT), path: '' },
    path,
    query,
  );
  if (res.status !== 200)
    throw new Error(
      `GET ${path} on service ${p.namespace}/${service}: HTTP ${String(res.status)}: ${res.text.slice(0, 200)}`,
    );
  return res.text;
}
