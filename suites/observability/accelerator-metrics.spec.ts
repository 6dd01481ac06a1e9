/**
 * accelerator_metrics: an accelerator metrics solution exposes fine-grained per-accelerator metrics
 * on a machine-readable endpoint. The probe scrapes the endpoint (metricsEndpoint, or a Service of
 * a well-known exporter of the profile's accelerator vendor), parses the Prometheus text, and
 * requires per-device utilization and memory metrics carrying a device label; temperature, power
 * and interconnect metrics are reported where present (the requirement says "should").
 */
import { expect } from 'chai';
import type { Kube } from '../../src/kube/client.js';
import {
  describeEndpoint,
  fetchFromEndpoint,
  hasOwnPath,
  parseEndpoint,
  type Endpoint,
} from '../../src/metrics/endpoint.js';
import { UnreachableError } from '../../src/metrics/http.js';
import { ExpositionError, parseExposition } from '../../src/metrics/prometheus.js';
import { probe, ProbeError } from '../../src/runner/probe.js';
import { classifyDeviceMetrics, describeDeviceMetric, type DeviceMetricsReport } from './device-metrics.js';
import { describeExporters, findExporterServices } from './metrics-exporters.js';
import { alsoFound, listServicesToDiscover } from './service-discovery.js';

probe(
  'accelerator-metrics',
  'TestAcceleratorPerformanceMetrics',
  (p) => {
    let notApplicable: string | undefined;
    let endpoint: Endpoint;
    let report: DeviceMetricsReport | undefined;
    /** Why the scrape cannot be judged (not Prometheus text); each test fails with it. */
    let unusable: string | undefined;

    before(async function () {
      const chosen = await chooseEndpoint(p.kube, p.param('metricsEndpoint'), p.param('accelerator'));
      if ('skip' in chosen) {
        notApplicable = chosen.skip;
        return;
      }
      endpoint = chosen.endpoint;
      p.log(`scraping ${describeEndpoint(endpoint)} (${chosen.how})`);
      let text: string;
      try {
        const res = await fetchFromEndpoint(p.kube, endpoint, hasOwnPath(endpoint) ? '' : 'metrics');
        text = res.text;
        // No answer worth judging (proxy 503: nothing behind the Service; 404: wrong path): the probe could not scrape.
        if (res.status !== 200)
          throw new ProbeError(
            `the accelerator metrics endpoint ${describeEndpoint(endpoint)} answered HTTP ${String(res.status)}: ${text.slice(0, 200)}`,
          );
      } catch (err) {
        if (err instanceof UnreachableError)
          throw new ProbeError(
            `cannot reach the accelerator metrics endpoint ${describeEndpoint(endpoint)}: ${err.message}`,
            { cause: err },
          );
        throw err;
      }
      try {
        const exposition = parseExposition(text);
        p.log(
          `${String(exposition.samples.length)} samples in ${String(new Set(exposition.samples.map((s) => s.name)).size)} series names`,
        );
        report = classifyDeviceMetrics(exposition.samples, {
          utilization: p.param('metricsUtilizationMetric'),
          memory: p.param('metricsMemoryMetric'),
        });
      } catch (err) {
        if (!(err instanceof ExpositionError)) throw err;
        unusable = `${describeEndpoint(endpoint)} does not serve Prometheus text exposition: ${err.message}`;
      }
    });

    beforeEach(function () {
      if (notApplicable !== undefined) p.skip(this, notApplicable);
    });

    it('UtilizationAndMemoryPerDevice', function () {
      if (unusable !== undefined) expect.fail(unusable);
      const r = report as DeviceMetricsReport;
      for (const kind of ['utilization', 'memory'] as const) {
        if (r.byKind[kind].length > 0) p.log(`${kind}: ${r.byKind[kind].map(describeDeviceMetric).join(', ')}`);
      }
      expect(r.missing, `${describeEndpoint(endpoint)} lacks: ${r.missing.join('; ')}`).to.deep.equal([]);
      p.log(
        `per-device metrics for ${String(r.devices.length)} device(s): ${r.devices.slice(0, 8).join(', ')}${r.devices.length > 8 ? ', …' : ''}`,
      );
    });

    it('TemperaturePowerInterconnect', function () {
      if (unusable !== undefined) expect.fail(unusable);
      const r = report as DeviceMetricsReport;
      // "should be exposed if the hardware makes them available": reported, never failed on.
      for (const kind of ['temperature', 'power', 'interconnect'] as const) {
        const found = r.byKind[kind];
        const unlabelled = r.withoutDeviceLabel[kind];
        const text = found.length > 0 ? found.map(describeDeviceMetric).join(', ') : 'none per device';
        p.log(`${kind}: ${text}${unlabelled.length > 0 ? ` (without a device label: ${unlabelled.join(', ')})` : ''}`);
      }
    });
  },
  { namespace: false },
);

type Choice = { endpoint: Endpoint; how: string } | { skip: string };

/** The metricsEndpoint parameter, or the first Service of a well-known exporter of the vendor. */
async function chooseEndpoint(kube: Kube, configured: string, vendor: string): Promise<Choice> {
  if (configured !== '') {
    const parsed = parseEndpoint(configured);
    if ('problem' in parsed) throw new ProbeError(`metricsEndpoint: ${parsed.problem}`);
    return { endpoint: parsed, how: 'metricsEndpoint' };
  }
  const services = await listServicesToDiscover(kube, 'an accelerator metrics exporter');
  const found = findExporterServices(services, vendor);
  const first = found[0];
  if (first === undefined) {
    return {
      skip: `no accelerator metrics endpoint: metricsEndpoint is empty and no Service of a known ${vendor} exporter was found (${describeExporters(vendor)}); set metricsEndpoint to a URL or namespace/service:port`,
    };
  }
  const parsed = parseEndpoint(first.endpoint);
  if ('problem' in parsed) throw new ProbeError(`discovered exporter ${first.endpoint}: ${parsed.problem}`);
  return { endpoint: parsed, how: `discovered exporter Service${alsoFound(found)}` };
}
