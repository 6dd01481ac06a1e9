// TestAIServiceMetrics on the test cluster, through the real CLI, with the cluster's own real
// Prometheus (Debian package, Service monitoring/prometheus, found by the probe's discovery) that
// finds annotated pods through the test cluster's API (test/cluster/pods/prometheus.ts). The
// serving stub's pod runs on a kwok node; its container's part is played by the probe's own stub
// script on the pod IP (the cluster's pod agent, test/cluster/pods). So the path is the real one
// except the container runtime and Prometheus's kubernetes_sd (not in Debian's build; HTTP
// discovery stands in): pod annotations → discovery → scrape of the pod IP; requests and PromQL
// through the API server's service proxy.
import { expect } from 'chai';
import { requireCluster, testKube } from '../cluster.js';
import type { CliRun } from '../run-cli.js';
import { startPrometheus, type PrometheusServer } from '../../cluster/pods/prometheus.js';
import { elapsedSeconds, explain, inVariant, runProfile, subtests } from './probe-run.js';

const TEST = 'TestAIServiceMetrics';
const SUBTESTS = [
  'ServingStubExposesMetrics',
  'RequestCountCollected',
  'LatencyHistogramCollected',
  'QueueDepthCollected',
];
const all = (action: string): Record<string, string> => Object.fromEntries(SUBTESTS.map((s) => [s, action]));

function run(extra: string[] = []): Promise<CliRun> {
  return runProfile('inference-autoscaling', ['--focus', `^${TEST}`, ...extra]);
}

describe('probe ai-service-metrics (TestAIServiceMetrics) on the test cluster', function () {
  this.timeout(10 * 60_000);
  before(requireCluster);

  describe('no prometheusUrl and no Prometheus Service (variant no-monitoring)', () => {
    let r: CliRun;
    inVariant('no-monitoring', async () => {
      r = await run();
    });
    it('skips every subtest, naming prometheusUrl and the Services looked for; exit 0', () => {
      expect(subtests(r, TEST), explain(r)).to.deep.equal(all('skip'));
      for (const s of SUBTESTS)
        expect(r.output(`${TEST}/${s}`)).to.contain(
          'no monitoring query API: prometheusUrl is empty and no Prometheus Service was found (prometheus-operated:9090, prometheus-k8s:9090, prometheus:9090, prometheus-server:80, or <release>-<name>); set prometheusUrl',
        );
      expect(r.code, explain(r)).to.equal(0);
    });
  });

  describe("the cluster's Prometheus (discovered), and one that scrapes nothing (prometheusUrl)", () => {
    let quiet: PrometheusServer;
    let collected: CliRun;
    let notCollected: CliRun;
    before(async () => {
      quiet = await startPrometheus(testKube(), { discover: false });
      [collected, notCollected] = await Promise.all([
        run(),
        run(['--set', `prometheusUrl=${quiet.url}`, '--set', 'waitTimeout=20s']),
      ]);
      console.log(`      ${TEST} wall time: ${String(elapsedSeconds(collected, TEST))}s`);
    });
    after(async () => {
      await quiet.stop();
    });

    it('passes: Prometheus reports exactly the 10 requests sent, the histogram and the queue gauge', () => {
      expect(subtests(collected, TEST), explain(collected)).to.deep.equal(all('pass'));
      expect(collected.output(`${TEST}/ServingStubExposesMetrics`)).to.contain(
        'monitoring query API: service monitoring/prometheus:9090 (discovered Prometheus Service',
      );
      expect(collected.output(`${TEST}/RequestCountCollected`)).to.match(
        /the monitoring system reports max\(ai_conformance_inference_requests_total\{conformance_run="aic-ai-service-metrics-[^"]+"\}\) = 10 after/,
      );
      expect(collected.output(`${TEST}/LatencyHistogramCollected`)).to.contain(
        'histogram collected: _count = 10, 12 bucket series',
      );
      expect(collected.code, explain(collected)).to.equal(0);
    });

    it('fails when the monitoring system never collects the workload, saying what it waited for', () => {
      const s = subtests(notCollected, TEST);
      expect(s, explain(notCollected)).to.deep.equal({
        ServingStubExposesMetrics: 'pass',
        RequestCountCollected: 'fail',
        LatencyHistogramCollected: 'fail',
        QueueDepthCollected: 'fail',
      });
      expect(notCollected.output(`${TEST}/RequestCountCollected`)).to.match(
        /timed out after 2\ds waiting for http:\/\/127\.0\.0\.1:\d+\/ to report max\(ai_conformance_inference_requests_total.* = 10; last seen: no series/,
      );
      expect(notCollected.output(`${TEST}/QueueDepthCollected`)).to.contain('the request counter was never collected');
      expect(notCollected.code, explain(notCollected)).to.equal(1);
    });
  });
});
