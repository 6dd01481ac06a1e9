// TestPodAutoscaling on the test cluster, through the real CLI. kube-controller-manager's HPA
// controller (sync period 5s) does the scaling and kwok runs the pods on the GPU nodes.
// - direct-write: the cluster's custom-metrics test adapter is the metric source (metricsWriteUrl).
// - pipeline: the serving pods' stub (stood in for on the pod IPs) exports the queue depth, a real
//   Prometheus discovers and scrapes them, the load generator's loop (stood in for too) keeps
//   requests in flight, and a bridge plays the platform adapter, copying each pod's value from
//   Prometheus into the test adapter (adapter-bridge.ts).
// Without a metric source the scaling tests skip with the reason; with the adapter stopped
// (variant no-custom-metrics) the probe fails naming the APIService.
import { expect } from 'chai';
import { requireCluster, testKube } from '../cluster.js';
import type { CliRun } from '../run-cli.js';
import { bridgePrometheusToAdapter, type Bridge } from './adapter-bridge.js';
import { loadGenerator, servingStub, standInForPods, type StandIns } from '../../cluster/pods/stand-ins.js';
import { elapsedSeconds, explain, inVariant, runProfile, subtests } from './probe-run.js';
import { startPrometheus, type PrometheusServer } from '../../cluster/pods/prometheus.js';

const TEST = 'TestPodAutoscaling';
const WRITE_URL = 'http://127.0.0.1:8080/write-metrics';
const SUBTESTS = ['CustomMetricsAPIAvailable', 'ScalesUpOnInferenceMetric', 'ScalesDownBelowTarget'];

function run(extra: string[] = []): Promise<CliRun> {
  return runProfile('inference-autoscaling', ['--focus', `^${TEST}`, ...extra]);
}

describe('probe inference-autoscaling (TestPodAutoscaling) on the test cluster', function () {
  this.timeout(15 * 60_000);
  before(requireCluster);

  describe('healthy cluster, direct-write to the test adapter', () => {
    let r: CliRun;
    before(async () => {
      r = await run(['--set', `metricsWriteUrl=${WRITE_URL}`]);
      console.log(`      ${TEST} wall time: ${String(elapsedSeconds(r, TEST))}s`);
    });

    it('exits 0 with every subtest passed', () => {
      expect(subtests(r, TEST), explain(r)).to.deep.equal(Object.fromEntries(SUBTESTS.map((s) => [s, 'pass'])));
      expect(r.code, explain(r)).to.equal(0);
    });

    it('read the metric back through custom.metrics.k8s.io', () => {
      expect(r.output(`${TEST}/CustomMetricsAPIAvailable`)).to.match(
        /custom\.metrics\.k8s\.io serves inference_queue_depth: deployment\/inference=0/,
      );
    });

    it('saw the HPA observe 30 against a target of 10, and 3 pods Running on GPU nodes', () => {
      const up = r.output(`${TEST}/ScalesUpOnInferenceMetric`);
      expect(up).to.contain('wrote inference_queue_depth = 30 for deployments.apps/inference (3 x the target)');
      expect(up).to.match(/HPA observed inference_queue_depth = 30 \(target 10\) and wants 3 replicas/);
      expect(up).to.match(/Deployment inference runs 3 available replicas/);
      expect(up).to.match(/pods: (inference-\S+ on gpu-(a|h)100-\d \(Running, [48] nvidia\.com\/gpu\)(; )?){3}/);
    });

    it('saw the HPA observe 0 and the Deployment shrink back to 1', () => {
      const down = r.output(`${TEST}/ScalesDownBelowTarget`);
      expect(down).to.match(/HPA observed inference_queue_depth = 0 \(target 10\) and wants 1 replica/);
      expect(down).to.match(/Deployment inference runs 1 available replica, /);
    });
  });

  describe('cluster pipeline: stub pods scraped by Prometheus, a load generator, an adapter bridge', () => {
    let r: CliRun;
    let prometheus: PrometheusServer;
    let stubs: StandIns;
    let load: StandIns;
    let bridge: Bridge;
    before(async () => {
      const kube = testKube();
      prometheus = await startPrometheus(testKube());
      stubs = standInForPods(kube, 'app.kubernetes.io/name=inference-server', servingStub);
      load = standInForPods(kube, 'ai-conformance.io/load', loadGenerator(kube));
      bridge = bridgePrometheusToAdapter(prometheus.url, WRITE_URL, 'inference_queue_depth');
      r = await run(['--set', 'inferenceMetricSource=pipeline']);
      console.log(`      ${TEST} wall time (pipeline): ${String(elapsedSeconds(r, TEST))}s`);
    });
    after(async () => {
      await bridge.stop();
      await Promise.all([load.stop(), stubs.stop()]);
      await prometheus.stop();
    });

    it('scales up on the load and down without it; exit 0', () => {
      const context = `${explain(r)}\nstub stand-ins:\n${stubs.log.join('\n')}\nload:\n${load.log.join('\n')}\nbridge errors: ${bridge.errors.join('; ')}`;
      expect(subtests(r, TEST), context).to.deep.equal(Object.fromEntries(SUBTESTS.map((s) => [s, 'pass'])));
      const up = r.output(`${TEST}/ScalesUpOnInferenceMetric`);
      expect(up).to.contain(
        'started the load generator inference-load: 30 requests in flight of 1000ms each against service inference',
      );
      expect(up).to.match(/HPA observed inference_queue_depth = \S+ \(target 10\) and wants 3 replicas/);
      expect(r.output(`${TEST}/ScalesDownBelowTarget`)).to.contain('stopped the load generator inference-load');
      expect(r.code, context).to.equal(0);
    });
  });

  describe('no metric source', () => {
    let r: CliRun;
    before(async () => {
      r = await run();
    });

    it('checks the API, skips the scaling tests naming the parameters, exits 0', () => {
      expect(subtests(r, TEST), explain(r)).to.deep.equal({
        CustomMetricsAPIAvailable: 'pass',
        ScalesUpOnInferenceMetric: 'skip',
        ScalesDownBelowTarget: 'skip',
      });
      for (const s of ['ScalesUpOnInferenceMetric', 'ScalesDownBelowTarget']) {
        expect(r.output(`${TEST}/${s}`))
          .to.contain('no inference metric source: set metricsWriteUrl')
          .and.to.contain('inferenceMetricSource=pipeline');
      }
      expect(r.code, explain(r)).to.equal(0);
    });
  });

  describe('variant no-custom-metrics', () => {
    let r: CliRun;
    inVariant('no-custom-metrics', async () => {
      r = await run(['--set', `metricsWriteUrl=${WRITE_URL}`]);
    });

    it('fails every subtest, naming the APIService that is not Available; exit 1', () => {
      expect(subtests(r, TEST), explain(r)).to.deep.equal(Object.fromEntries(SUBTESTS.map((s) => [s, 'fail'])));
      expect(r.output(`${TEST}/CustomMetricsAPIAvailable`)).to.match(
        /APIService v1beta2\.custom\.metrics\.k8s\.io \(service custom-metrics\/custom-metrics-apiserver:6444\) is not Available \(Available=False/,
      );
      expect(r.output(`${TEST}/ScalesUpOnInferenceMetric`)).to.contain(
        'the HPA cannot read custom metrics: APIService v1beta1.custom.metrics.k8s.io',
      );
      expect(r.code, explain(r)).to.equal(1);
    });
  });
});
