/**
 * ai_service_metrics: the platform's monitoring system discovers and collects metrics that a
 * workload exposes in Prometheus format. The probe runs the serving stub (request counter, latency
 * histogram, queue depth, all labelled conformance_run=<probe namespace>), registers it for
 * scraping, sends a known number of requests through the API server's service proxy, and polls the
 * monitoring system's query API (prometheusUrl) until it reports exactly that many.
 */
import { expect } from 'chai';
import { deploymentAvailable } from '../../src/kube/conditions.js';
import { waitFor } from '../../src/kube/wait.js';
import { describeEndpoint, parseEndpoint, type Endpoint } from '../../src/metrics/endpoint.js';
import { UnreachableError } from '../../src/metrics/http.js';
import { pollUntil } from '../../src/metrics/poll.js';
import { parseExposition, type Sample } from '../../src/metrics/prometheus.js';
import { instantQuery, promString, type VectorSample } from '../../src/metrics/query.js';
import { probe, ProbeError, type ProbeHandle } from '../../src/runner/probe.js';
import { describePrometheusServices, findPrometheusServices } from './monitoring-discovery.js';
import { alsoFound, listServicesToDiscover } from './service-discovery.js';
import {
  callStub,
  conformanceRun,
  DURATION_METRIC,
  QUEUE_METRIC,
  registerScrape,
  REQUESTS_METRIC,
  STUB_BUCKETS,
  stubParams,
} from './serving-stub.js';

const STUB = 'serving-stub';
/** Requests the probe sends (upstream TestAIServiceMetrics sends 10 too). */
const REQUESTS = 10;
const QUERY_INTERVAL_MS = 2000;

probe('ai-service-metrics', 'TestAIServiceMetrics', (p) => {
  let notApplicable: string | undefined;
  let api: Endpoint;
  let run: string;
  /** Set by RequestCountCollected; the later tests query what those requests left behind. */
  let collected: { ok: boolean; why: string } | undefined;

  before(async function () {
    const chosen = await choosePrometheus(p);
    if ('skip' in chosen) {
      notApplicable = chosen.skip;
      return;
    }
    const raw = chosen.endpoint;
    p.log(`monitoring query API: ${chosen.how}`);
    const parsed = parseEndpoint(raw);
    if ('problem' in parsed) throw new ProbeError(`prometheusUrl: ${parsed.problem}`);
    api = parsed;
    run = conformanceRun(p);
    try {
      await instantQuery(p.kube, api, 'vector(1)');
    } catch (err) {
      throw new ProbeError(
        `the monitoring query API ${describeEndpoint(api)} (prometheusUrl) does not answer: ${(err as Error).message}`,
        { cause: err },
      );
    }
    await p.create('observability', 'serving-stub.yaml', stubParams(p, STUB));
    p.log(`scraping asked for by ${await registerScrape(p, STUB)}`);
    await waitFor(
      p.kube,
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: p.namespace, name: STUB },
      deploymentAvailable(1),
      p.waitOptions(),
    );
    // Ready is not yet answering on every platform (no readiness gate on the proxy path): ask until it does.
    await pollUntil(
      () => callStub(p, STUB, 'healthz'),
      () => true,
      () => 'answering',
      {
        description: `serving stub ${p.namespace}/${STUB} to answer /healthz through the service proxy`,
        ...p.waitOptions(),
        intervalMs: 1000,
      },
    );
    p.log(`serving stub answers; its series carry conformance_run=${run}`);
  });

  beforeEach(function () {
    if (notApplicable !== undefined) p.skip(this, notApplicable);
  });

  it('ServingStubExposesMetrics', async function () {
    const text = await callStub(p, STUB, 'metrics');
    const own = parseExposition(text).samples.filter((s) => s.labels['conformance_run'] === run);
    const names = new Set(own.map((s) => s.name));
    for (const name of [REQUESTS_METRIC, `${DURATION_METRIC}_count`, `${DURATION_METRIC}_bucket`, QUEUE_METRIC]) {
      expect(
        names.has(name),
        `the serving stub's /metrics lacks ${name}{conformance_run="${run}"}; it serves: ${[...names].join(', ') || 'nothing of this run'}`,
      ).to.equal(true);
    }
    p.log(`the stub exposes ${String(own.length)} samples of this run: ${[...names].join(', ')}`);
  });

  it('RequestCountCollected', async function () {
    for (let i = 0; i < REQUESTS; i += 1) await callStub(p, STUB, 'infer', { ms: '20' });
    const direct = counterOf(parseExposition(await callStub(p, STUB, 'metrics')).samples, REQUESTS_METRIC, run);
    p.log(`sent ${String(REQUESTS)} requests through the service proxy; the stub itself counts ${String(direct)}`);
    const promql = `max(${REQUESTS_METRIC}{conformance_run=${promString(run)}})`;
    try {
      const seen = await pollUntil(
        () => instantQuery(p.kube, api, promql),
        (r) => (r[0]?.value ?? -1) >= REQUESTS,
        describeResult,
        {
          description: `${describeEndpoint(api)} to report ${promql} = ${String(REQUESTS)}`,
          ...p.waitOptions(),
          intervalMs: QUERY_INTERVAL_MS,
        },
      );
      p.log(
        `the monitoring system reports ${promql} = ${describeResult(seen.value)} after ${String(Math.round(seen.elapsedMs / 100) / 10)}s`,
      );
      collected = { ok: true, why: '' };
      expect(seen.value[0]?.value, `the monitoring system counts more requests than were sent (${promql})`).to.equal(
        REQUESTS,
      );
    } catch (err) {
      collected = { ok: false, why: (err as Error).message };
      if (err instanceof UnreachableError)
        throw new ProbeError(`the monitoring query API became unreachable: ${err.message}`, { cause: err });
      throw err;
    }
  });

  it('LatencyHistogramCollected', async function () {
    requireCollected(collected);
    const count = await queryValue(p, api, `max(${DURATION_METRIC}_count{conformance_run=${promString(run)}})`);
    expect(count, `${DURATION_METRIC}_count for conformance_run=${run} in the monitoring system`).to.equal(REQUESTS);
    const buckets = await queryValue(p, api, `count(${DURATION_METRIC}_bucket{conformance_run=${promString(run)}})`);
    expect(
      buckets,
      `series of ${DURATION_METRIC}_bucket (one per bound, +Inf included) for conformance_run=${run}`,
    ).to.be.at.least(STUB_BUCKETS + 1);
    p.log(`histogram collected: _count = ${String(count)}, ${String(buckets)} bucket series`);
  });

  it('QueueDepthCollected', async function () {
    requireCollected(collected);
    const promql = `${QUEUE_METRIC}{conformance_run=${promString(run)}}`;
    const result = await instantQuery(p.kube, api, promql);
    expect(result.length, `the monitoring system has no ${promql}`).to.be.at.least(1);
    p.log(`queue depth collected: ${describeResult(result)}`);
  });
});

function counterOf(samples: readonly Sample[], name: string, run: string): number {
  return samples
    .filter((s) => s.name === name && s.labels['conformance_run'] === run)
    .reduce((sum, s) => sum + s.value, 0);
}

function describeResult(result: readonly VectorSample[]): string {
  if (result.length === 0) return 'no series';
  return result.map((r) => String(r.value)).join(', ');
}

async function queryValue(p: ProbeHandle, api: Endpoint, promql: string): Promise<number | undefined> {
  return (await instantQuery(p.kube, api, promql))[0]?.value;
}

function requireCollected(collected: { ok: boolean; why: string } | undefined): void {
  if (collected === undefined) throw new Error('RequestCountCollected did not run, so there is nothing to look for');
  if (!collected.ok)
    throw new Error(`the request counter was never collected (RequestCountCollected: ${collected.why})`);
}

type PrometheusChoice = { endpoint: string; how: string } | { skip: string };

/** prometheusUrl, or the best Service that looks like a Prometheus (monitoring-discovery.ts). */
async function choosePrometheus(p: ProbeHandle): Promise<PrometheusChoice> {
  const configured = p.param('prometheusUrl');
  if (configured !== '') return { endpoint: configured, how: `${configured} (prometheusUrl)` };
  const services = await listServicesToDiscover(p.kube, 'a Prometheus');
  const found = findPrometheusServices(services);
  const first = found[0];
  if (first === undefined) {
    return {
      skip: `no monitoring query API: prometheusUrl is empty and no Prometheus Service was found (${describePrometheusServices()}, or <release>-<name>); set prometheusUrl to the Prometheus-compatible query API of the monitoring system (a URL, or namespace/service:port reached through the API server)`,
    };
  }
  return {
    endpoint: first.endpoint,
    how: `service ${first.endpoint} (discovered Prometheus Service, ${first.from}${alsoFound(found)})`,
  };
}
