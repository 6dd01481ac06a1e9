// TestAcceleratorPerformanceMetrics on the test cluster, through the real CLI: skipped with the
// reason when there is no endpoint; passes on a dcgm-exporter-shaped endpoint, found by discovery
// (a Service nvidia-dcgm-exporter:9400 on a kwok pod, stood in for on the pod IP, scraped through
// the API server's service proxy) or named as a URL; fails naming the memory metric on an exporter
// without one, and fails on an endpoint that does not serve Prometheus text.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { CleanupStack } from '../../../src/kube/cleanup.js';
import { podRunning } from '../../../src/kube/conditions.js';
import { runLabels } from '../../../src/kube/labels.js';
import { applyObjects, loadManifests } from '../../../src/kube/manifest.js';
import { createProbeNamespace } from '../../../src/kube/namespace.js';
import { waitFor } from '../../../src/kube/wait.js';
import { requireCluster, testKube } from '../cluster.js';
import type { CliRun } from '../run-cli.js';
import { standInForPods, staticExporter, type StandIns } from './pod-stand-ins.js';
import { elapsedSeconds, explain, runProfile, subtests } from './probe-run.js';

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

  describe('no metricsEndpoint and no exporter Service', () => {
    let r: CliRun;
    before(async () => {
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

  describe('an exporter Service found by discovery, scraped through the API server', () => {
    let r: CliRun;
    let standIns: StandIns;
    const kube = testKube();
    const cleanup = new CleanupStack();
    before(async () => {
      // A dcgm-exporter pod on a GPU node and its Service; the fixture stands in for the container.
      const runId = `integration-${String(Date.now())}`;
      const namespace = await createProbeNamespace(kube, { runId, probe: 'dcgm-exporter-fixture', cleanup });
      standIns = standInForPods(
        kube,
        'app.kubernetes.io/name=aic-test-dcgm-exporter',
        staticExporter(path.join(fixtures, 'dcgm.txt'), 9400),
      );
      await applyObjects(kube, loadManifests(path.join(fixtures, 'dcgm-exporter.yaml')), {
        namespace,
        labels: runLabels(runId),
        cleanup,
      });
      await waitFor(kube, { apiVersion: 'v1', kind: 'Pod', namespace, name: 'dcgm-exporter-0' }, podRunning, {
        timeoutMs: 60_000,
      });
      const deadline = Date.now() + 30_000;
      while (standIns.serving.size === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
      r = await run();
      console.log(`      ${TEST} wall time (discovered Service): ${String(elapsedSeconds(r, TEST))}s`);
    });
    after(async () => {
      await standIns.stop();
      await cleanup.run((line) => {
        console.log(line);
      });
    });

    it('discovers the Service, scrapes it through the service proxy and passes', () => {
      expect(standIns.serving.size, standIns.log.join('\n')).to.equal(1);
      expect(r.output(UTIL), explain(r)).to.match(
        /scraping service aic-dcgm-exporter-fixture-[0-9a-f]{8}\/nvidia-dcgm-exporter:9400 \(discovered exporter Service\)/,
      );
      expect(subtests(r, TEST), `${explain(r)}\n${standIns.log.join('\n')}`).to.deep.equal({
        UtilizationAndMemoryPerDevice: 'pass',
        TemperaturePowerInterconnect: 'pass',
      });
      expect(r.code, explain(r)).to.equal(0);
    });
  });
});
