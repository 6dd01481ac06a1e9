// TestAcceleratorPerformanceMetrics on the test cluster, through the real CLI: skipped with the
// reason when there is no endpoint (variant no-monitoring); passes on the cluster's own
// dcgm-exporter, found by discovery (Service gpu-operator/nvidia-dcgm-exporter:9400, its pod
// played by the pod agent on the pod IP, scraped through the API server's service proxy) or on one
// named as a URL; fails naming the memory metric on an exporter without one, and fails on an
// endpoint that does not serve Prometheus text.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { requireCluster } from '../cluster.js';
import type { CliRun } from '../run-cli.js';
import { elapsedSeconds, explain, inVariant, runProfile, subtests } from './probe-run.js';

const TEST = 'TestAcceleratorPerformanceMetrics';
const UTIL = `${TEST}/UtilizationAndMemoryPerDevice`;
const EXTRA = `${TEST}/TemperaturePowerInterconnect`;
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'metrics');

function run(extra: string[] = []): Promise<CliRun> {
  return runProfile('inference-autoscaling', ['--focus', `^${TEST}`, ...extra]);
}

/** A loopback server: /metrics the DCGM fixture, /broken the one without memory, /html a web page. */
async function fixtureServer(): Promise<{ base: string; close: () => void }> {
  const pages: Record<string, string> = {
    '/metrics': readFileSync(path.join(fixtures, 'dcgm.txt'), 'utf8'),
    '/broken': readFileSync(path.join(fixtures, 'dcgm-no-memory.txt'), 'utf8'),
    '/html': '<html><body>Grafana</body></html>\n',
  };
  const server = http.createServer((req, res) => {
    const page = pages[req.url ?? ''];
    res.statusCode = page === undefined ? 404 : 200;
    res.end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    close: () => {
      server.close();
    },
  };
}

describe('probe accelerator-metrics (TestAcceleratorPerformanceMetrics) on the test cluster', function () {
  this.timeout(10 * 60_000);
  before(requireCluster);

  describe('no metricsEndpoint and no exporter Service (variant no-monitoring)', () => {
    let r: CliRun;
    inVariant('no-monitoring', async () => {
      r = await run();
    });
    it('skips both subtests, naming metricsEndpoint and the exporters looked for; exit 0', () => {
      expect(subtests(r, TEST), explain(r)).to.deep.equal({
        UtilizationAndMemoryPerDevice: 'skip',
        TemperaturePowerInterconnect: 'skip',
      });
      expect(r.output(UTIL)).to.contain(
        'no accelerator metrics endpoint: metricsEndpoint is empty and no Service of a known nvidia exporter was found (nvidia-dcgm-exporter or dcgm-exporter (port 9400)); set metricsEndpoint',
      );
      expect(r.code, explain(r)).to.equal(0);
    });
  });

  describe('metricsEndpoint as a URL', () => {
    let server: { base: string; close: () => void };
    let good: CliRun;
    let broken: CliRun;
    let html: CliRun;
    before(async () => {
      server = await fixtureServer();
      [good, broken, html] = await Promise.all([
        run(['--set', `metricsEndpoint=${server.base}`]),
        run(['--set', `metricsEndpoint=${server.base}/broken`]),
        run(['--set', `metricsEndpoint=${server.base}/html`]),
      ]);
      console.log(`      ${TEST} wall time (URL endpoint): ${String(elapsedSeconds(good, TEST))}s`);
    });
    after(() => {
      server.close();
    });

    it('passes a dcgm-exporter endpoint and reports its devices and the optional metrics', () => {
      expect(subtests(good, TEST), explain(good)).to.deep.equal({
        UtilizationAndMemoryPerDevice: 'pass',
        TemperaturePowerInterconnect: 'pass',
      });
      expect(good.output(UTIL)).to.contain('utilization: DCGM_FI_DEV_GPU_UTIL (by UUID: 4 devices)');
      expect(good.output(UTIL)).to.contain(
        'memory: DCGM_FI_DEV_FB_FREE (by UUID: 4 devices), DCGM_FI_DEV_FB_USED (by UUID: 4 devices)',
      );
      expect(good.output(UTIL)).to.match(/per-device metrics for 4 device\(s\): GPU-/);
      expect(good.output(EXTRA)).to.contain('temperature: DCGM_FI_DEV_GPU_TEMP (by UUID: 4 devices)');
      expect(good.output(EXTRA)).to.contain('power: DCGM_FI_DEV_POWER_USAGE');
      expect(good.output(EXTRA)).to.contain('interconnect: DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL');
      expect(good.code, explain(good)).to.equal(0);
    });

    it('fails an exporter without a memory metric, naming it; the optional metrics still pass', () => {
      expect(subtests(broken, TEST), explain(broken)).to.deep.equal({
        UtilizationAndMemoryPerDevice: 'fail',
        TemperaturePowerInterconnect: 'pass',
      });
      expect(broken.output(UTIL)).to.match(/lacks: per-device memory metric \(no series name matches/);
      expect(broken.output(EXTRA)).to.contain('power: none per device');
      expect(broken.code, explain(broken)).to.equal(1);
    });

    it('fails an endpoint that does not serve Prometheus text', () => {
      expect(subtests(html, TEST), explain(html)).to.deep.equal({
        UtilizationAndMemoryPerDevice: 'fail',
        TemperaturePowerInterconnect: 'fail',
      });
      expect(html.output(UTIL)).to.contain('does not serve Prometheus text exposition: line 1: expected a metric name');
      expect(html.code, explain(html)).to.equal(1);
    });
  });

  describe("the cluster's exporter Service, found by discovery, scraped through the API server", () => {
    let r: CliRun;
    before(async () => {
      r = await run();
      console.log(`      ${TEST} wall time (discovered Service): ${String(elapsedSeconds(r, TEST))}s`);
    });

    it('discovers the Service, scrapes it through the service proxy and passes', () => {
      expect(r.output(UTIL), explain(r)).to.contain(
        'scraping service gpu-operator/nvidia-dcgm-exporter:9400 (discovered exporter Service)',
      );
      expect(subtests(r, TEST), explain(r)).to.deep.equal({
        UtilizationAndMemoryPerDevice: 'pass',
        TemperaturePowerInterconnect: 'pass',
      });
      expect(r.code, explain(r)).to.equal(0);
    });
  });
});
