import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Deployment, HorizontalPodAutoscaler } from '../../../src/kube/objects.js';
import { defaultParameters } from '../../../src/profiles/parameters.js';
import {
  deploymentAt,
  describeHpa,
  hpaWants,
  judgeApiServices,
  maxReplicasFor,
  observedMetric,
  parseMetricValues,
  type APIService,
} from '../../../suites/scheduling/hpa-metrics.js';
import { DirectWriteSource, writeUrl } from '../../../suites/scheduling/metric-source/direct-write.js';
import {
  chooseMetricSource,
  NO_SOURCE_REASON,
  type ScalingTarget,
} from '../../../suites/scheduling/metric-source/source.js';

function hpa(
  desired: number,
  current: number,
  metric: { type: 'Object' | 'Pods'; quantity: string } | undefined,
  conditions: { type: string; status: string; reason?: string; message?: string }[] = [],
): HorizontalPodAutoscaler {
  const currentMetrics =
    metric === undefined
      ? []
      : metric.type === 'Object'
        ? [
            {
              type: 'Object',
              object: {
                metric: { name: 'queue' },
                describedObject: { kind: 'Deployment', name: 'inference' },
                current: { averageValue: metric.quantity },
              },
            },
          ]
        : [{ type: 'Pods', pods: { metric: { name: 'queue' }, current: { averageValue: metric.quantity } } }];
  return {
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'inference' }, maxReplicas: 3 },
    status: { desiredReplicas: desired, currentReplicas: current, currentMetrics, conditions },
  };
}

describe('scheduling/hpa-metrics: what the HPA observed', function () {
  it('reads Object and Pods metric values, milli-units included', function () {
    expect(observedMetric(hpa(3, 1, { type: 'Object', quantity: '30' }), 'queue')).to.deep.equal({
      value: 30,
      quantity: '30',
    });
    expect(observedMetric(hpa(1, 3, { type: 'Pods', quantity: '333m' }), 'queue')?.value).to.be.closeTo(0.333, 1e-9);
    expect(observedMetric(hpa(1, 1, { type: 'Pods', quantity: '5' }), 'other')).to.equal(undefined);
    expect(observedMetric(hpa(1, 1, undefined), 'queue')).to.equal(undefined);
  });

  it('waits for a wanted replica count on an observed metric, and describes what it saw', function () {
    const up = hpaWants('queue', 10, '3', (d, o) => d >= 3 && o.value > 10);
    expect(up.test(hpa(1, 1, { type: 'Object', quantity: '0' }))).to.equal(false);
    expect(up.test(hpa(3, 1, undefined))).to.equal(false);
    expect(up.test(hpa(3, 1, { type: 'Object', quantity: '30' }))).to.deep.equal({
      done: true,
      value: { desired: 3, observed: { value: 30, quantity: '30' } },
    });
    const stuck = hpa(1, 1, undefined, [
      {
        type: 'ScalingActive',
        status: 'False',
        reason: 'FailedGetObjectMetric',
        message: 'unable to get metric queue',
      },
      { type: 'AbleToScale', status: 'True' },
    ]);
    expect(up.describe(stuck)).to.equal(
      'desired=1, current=1, queue=not observed (target 10), ScalingActive=False (FailedGetObjectMetric: unable to get metric queue)',
    );
    expect(describeHpa(undefined, 'queue', 10)).to.equal('not found');
  });

  it('waits for a Deployment to run exactly n replicas', function () {
    const d = (spec: number, replicas: number, available: number): Deployment => ({
      metadata: { generation: 2 },
      spec: { replicas: spec, selector: {}, template: {} },
      status: { observedGeneration: 2, replicas, availableReplicas: available },
    });
    expect(deploymentAt(1).test(d(1, 3, 1))).to.equal(false); // old pods still there
    expect(deploymentAt(1).test(d(1, 1, 1))).to.not.equal(false);
    expect(deploymentAt(3).describe(d(3, 3, 2))).to.equal('spec.replicas=3, replicas=3, available=2');
  });

  it('judges the custom metrics APIServices', function () {
    const svc = (name: string, group: string, status?: string, reason?: string, message?: string): APIService => ({
      metadata: { name },
      spec: {
        group,
        version: name.split('.')[0],
        service: { namespace: 'custom-metrics', name: 'adapter', port: 6444 },
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
      status: status === undefined ? {} : { conditions: [{ type: 'Available', status, reason, message }] },
    });
    expect(judgeApiServices([])).to.deep.equal({
      available: [],
      problems: [
        'no APIService serves custom.metrics.k8s.io (install a custom metrics adapter such as prometheus-adapter or KEDA)',
      ],
    });
    const healthy = judgeApiServices([
      svc('v1beta2.custom.metrics.k8s.io', 'custom.metrics.k8s.io', 'True'),
      svc('v1.apps', 'apps', 'True'),
    ]);
    expect(healthy).to.deep.equal({ available: ['v1beta2.custom.metrics.k8s.io'], problems: [] });
    const broken = judgeApiServices([
      svc(
        'v1beta2.custom.metrics.k8s.io',
        'custom.metrics.k8s.io',
        'False',
        'FailedDiscoveryCheck',
        'failing or missing response from https://127.0.0.1:6444',
      ),
      svc('v1beta1.custom.metrics.k8s.io', 'custom.metrics.k8s.io'),
    ]);
    expect(broken.problems).to.deep.equal([
      'APIService v1beta1.custom.metrics.k8s.io (service custom-metrics/adapter:6444) is not Available (no Available condition yet)',
      'APIService v1beta2.custom.metrics.k8s.io (service custom-metrics/adapter:6444) is not Available (Available=False: FailedDiscoveryCheck: failing or missing response from https://127.0.0.1:6444)',
    ]);
  });

  it('reads MetricValueList answers', function () {
    const list = {
      kind: 'MetricValueList',
      items: [
        { describedObject: { kind: 'Pod', name: 'a' }, value: '1500m' },
        { describedObject: { kind: 'Pod', name: 'b' }, value: '2' },
        { describedObject: { kind: 'Pod', name: 'c' } },
      ],
    };
    expect(parseMetricValues(list)).to.deep.equal([
      { object: 'pod/a', value: 1.5 },
      { object: 'pod/b', value: 2 },
    ]);
    expect(parseMetricValues({ describedObject: { kind: 'Deployment', name: 'inference' }, value: '0' })).to.deep.equal(
      [{ object: 'deployment/inference', value: 0 }],
    );
    expect(parseMetricValues({ kind: 'Status' })).to.deep.equal([]);
  });

  it('scales between 1 and at most 3, never beyond the free accelerators', function () {
    expect(maxReplicasFor(24)).to.equal(3);
    expect(maxReplicasFor(2)).to.equal(2);
    expect(maxReplicasFor(1)).to.equal(undefined);
  });
});

describe('scheduling/metric-source: choosing and using a metric source', function () {
  const params = (over: Record<string, string>) => ({ ...defaultParameters(), ...over });

  it('chooses direct-write when metricsWriteUrl is set, pipeline only when asked, and skips otherwise', function () {
    expect(chooseMetricSource(params({}))).to.deep.equal({ skip: NO_SOURCE_REASON });
    expect(NO_SOURCE_REASON).to.include('metricsWriteUrl').and.to.include('inferenceMetricSource=pipeline');
    const direct = chooseMetricSource(params({ metricsWriteUrl: 'http://127.0.0.1:8080/write-metrics' }));
    expect('source' in direct && direct.source.metricType).to.equal('Object');
    const pipeline = chooseMetricSource(params({ inferenceMetricSource: 'pipeline', metricsWriteUrl: 'http://x' }));
    expect('source' in pipeline && pipeline.source.metricType).to.equal('Pods');
    expect(chooseMetricSource(params({ inferenceMetricSource: 'direct-write' }))).to.deep.equal({
      problem: 'inferenceMetricSource=direct-write needs metricsWriteUrl',
    });
    expect(chooseMetricSource(params({ metricsWriteUrl: 'localhost:8080' }))).to.have.property('problem');
  });

  it('builds the test adapter write URL', function () {
    expect(
      writeUrl(
        new URL('http://127.0.0.1:8080/write-metrics/'),
        'aic-x',
        'deployments.apps',
        'inference',
        'inference_queue_depth',
      ).toString(),
    ).to.equal('http://127.0.0.1:8080/write-metrics/namespaces/aic-x/deployments.apps/inference/inference_queue_depth');
  });

  describe('DirectWriteSource against a fake adapter', function () {
    let server: http.Server;
    let base: URL;
    const writes: { url: string; type: string; body: string }[] = [];
    let status = 200;
    before(async function () {
      server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          writes.push({ url: req.url ?? '', type: req.headers['content-type'] ?? '', body });
          res.statusCode = status;
          res.end(status === 200 ? '' : 'bad quantity');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = new URL(`http://127.0.0.1:${String((server.address() as AddressInfo).port)}/write-metrics`);
    });
    after(function () {
      server.close();
    });

    const target = { namespace: 'aic-x', deployment: 'inference', metric: 'q', target: 10 } as ScalingTarget;

    it('POSTs a JSON quantity for the Deployment', async function () {
      const source = new DirectWriteSource(base);
      expect(await source.drive(target, 30)).to.equal('wrote q = 30 for deployments.apps/inference');
      expect(writes.at(-1)).to.deep.equal({
        url: '/write-metrics/namespaces/aic-x/deployments.apps/inference/q',
        type: 'application/json',
        body: '"30"',
      });
    });

    it('reports a refused write as a ProbeError', async function () {
      status = 400;
      let error: unknown;
      try {
        await new DirectWriteSource(base).drive(target, 0);
      } catch (err) {
        error = err;
      }
      status = 200;
      expect((error as Error).name).to.equal('ProbeError');
      expect((error as Error).message).to.include('HTTP 400: bad quantity');
    });
  });
});
