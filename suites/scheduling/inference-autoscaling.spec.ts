/**
 * pod_autoscaling: the HorizontalPodAutoscaler scales pods that use accelerators on a custom
 * metric relevant to inference. The probe runs a serving Deployment whose pods each ask for one
 * accelerator, an autoscaling/v2 HPA on the customMetric (queue depth), and a metric source
 * (metric-source/source.ts: a direct-write adapter, or the platform's own scrape-and-adapter
 * pipeline). It drives the metric above target and asserts that the HPA observed it and the
 * Deployment really grew onto accelerator nodes, then below target and asserts it shrank. A custom
 * metrics API that is missing or not Available fails the probe.
 */
import { expect } from 'chai';
import { deploymentAvailable } from '../../src/kube/conditions.js';
import type { Pod } from '../../src/kube/objects.js';
import { formatDuration, waitFor } from '../../src/kube/wait.js';
import { pollUntil } from '../../src/metrics/poll.js';
import { acceleratorFor, type Accelerator } from '../../src/requirements/accelerators.js';
import { probe, ProbeError, type ProbeHandle } from '../../src/runner/probe.js';
import { readAcceleratorNodes, usable } from '../shared/accelerator-nodes.js';
import { stubParams } from '../observability/serving-stub.js';
import {
  CUSTOM_METRICS_GROUP,
  deploymentAt,
  hpaWants,
  judgeApiServices,
  maxReplicasFor,
  parseMetricValues,
  type APIService,
  type MetricValue,
  type Observed,
} from './hpa-metrics.js';
import { chooseMetricSource, type MetricSource, type ScalingTarget } from './metric-source/source.js';

const NAME = 'inference';
const SELECTOR = `app.kubernetes.io/name=inference-server,ai-conformance.io/stub=${NAME}`;

probe('inference-autoscaling', 'TestPodAutoscaling', (p) => {
  let apiProblems: string[] = [];
  /** Why the scaling tests cannot run here (no metric source, no accelerators). */
  let scaleSkip: string | undefined;
  let source: MetricSource | undefined;
  let target: ScalingTarget;
  let acc: Accelerator;
  let maxReplicas = 0;
  let scaledUp = false;

  before(async function () {
    acc = acceleratorFor(p.params);
    const api = await readApiAvailability(p);
    apiProblems = api.problems;
    if (api.available.length > 0)
      p.log(`${CUSTOM_METRICS_GROUP} served by Available APIService(s) ${api.available.join(', ')}`);
    for (const problem of apiProblems) p.log(problem);

    const choice = chooseMetricSource(p.params);
    if ('problem' in choice) throw new ProbeError(choice.problem);
    if ('skip' in choice) {
      scaleSkip = choice.skip;
      return;
    }
    source = choice.source;
    p.log(`metric source: ${source.description}; HPA ${source.metricType} metric ${p.param('customMetric')}`);
    if (apiProblems.length > 0) return; // every test fails with them; nothing to set up

    const nodes = usable(await readAcceleratorNodes(p.kube, acc)).filter((n) => n.allocatable > 0);
    if (nodes.length === 0) {
      scaleSkip = `no schedulable node advertises ${acc.resource} allocatable; set accelerator/acceleratorResource`;
      return;
    }
    const free = nodes.reduce((sum, n) => sum + n.free, 0);
    const max = maxReplicasFor(free);
    if (max === undefined)
      throw new ProbeError(`scaling needs at least 2 free ${acc.resource}; the cluster has ${String(free)} free`);
    maxReplicas = max;
    const targetValue = Number(p.params['customMetricTarget'] ?? 10);
    target = {
      p,
      namespace: p.namespace,
      deployment: NAME,
      podSelector: SELECTOR,
      metric: p.param('customMetric'),
      target: targetValue,
    };
    p.log(
      `${String(free)} ${acc.resource} free on ${String(nodes.length)} nodes: scaling between 1 and ${String(maxReplicas)} replicas, target ${target.metric} = ${String(targetValue)} per replica`,
    );

    await p.create('scheduling', 'inference-server.yaml', {
      ...stubParams(p, NAME),
      metric: target.metric,
      resource: acc.resource,
      taintKey: acc.taintKey,
    });
    await source.prepare(target);
    await waitFor(p.kube, deploymentRef(p), deploymentAvailable(1), p.waitOptions());
    await p.create('scheduling', source.hpaTemplate, {
      name: NAME,
      metric: target.metric,
      target: targetValue,
      maxReplicas,
    });
  });

  it('CustomMetricsAPIAvailable', async function () {
    expect(apiProblems, `the custom metrics API cannot serve the HPA: ${apiProblems.join('; ')}`).to.deep.equal([]);
    if (source === undefined || scaleSkip !== undefined) {
      p.log(`not reading a metric back: ${scaleSkip ?? 'no metric source'}`);
      return;
    }
    const what = source.metricType === 'Object' ? `deployments.apps/${NAME}` : `pods of ${NAME}`;
    const seen = await pollUntil(
      () => readCustomMetric(p, source as MetricSource, target.metric),
      (values) => values.length > 0,
      (values) => (values.length === 0 ? 'no values' : values.map((v) => `${v.object}=${String(v.value)}`).join(', ')),
      {
        description: `${CUSTOM_METRICS_GROUP} to serve ${target.metric} for ${what} in ${p.namespace}`,
        ...p.waitOptions(),
        intervalMs: 2000,
      },
    );
    p.log(
      `${CUSTOM_METRICS_GROUP} serves ${target.metric}: ${seen.value.map((v) => `${v.object}=${String(v.value)}`).join(', ')} (after ${formatDuration(seen.elapsedMs)})`,
    );
  });

  it('ScalesUpOnInferenceMetric', async function () {
    if (scaleSkip !== undefined) p.skip(this, scaleSkip);
    requireApi(apiProblems);
    const observed = await scaleStep(p, source as MetricSource, target, {
      total: target.target * maxReplicas,
      replicas: maxReplicas,
      rising: true,
    });
    expect(observed.value, `the HPA's observed ${target.metric}`).to.be.above(target.target);

    const placement = await podPlacement(p, acc);
    p.log(
      `pods: ${placement.map((x) => `${x.pod} on ${x.node} (${x.phase}, ${String(x.allocatable)} ${acc.resource})`).join('; ')}`,
    );
    const running = placement.filter((x) => x.phase === 'Running');
    expect(
      running.length,
      `Running pods of ${NAME} after scaling up: ${placement.map((x) => `${x.pod}=${x.phase}`).join(', ')}`,
    ).to.equal(maxReplicas);
    const off = running.filter((x) => x.allocatable <= 0);
    expect(
      off.map((x) => `${x.pod} on ${x.node}`),
      `pods asking for ${acc.resource} running on nodes without it`,
    ).to.deep.equal([]);
    scaledUp = true;
  });

  it('ScalesDownBelowTarget', async function () {
    if (scaleSkip !== undefined) p.skip(this, scaleSkip);
    requireApi(apiProblems);
    if (!scaledUp)
      throw new Error(
        'ScalesUpOnInferenceMetric did not scale the Deployment up, so there is no scale-down to observe',
      );
    const observed = await scaleStep(p, source as MetricSource, target, { total: 0, replicas: 1, rising: false });
    expect(observed.value, `the HPA's observed ${target.metric}`).to.be.below(target.target);
  });
});

function deploymentRef(p: ProbeHandle): { apiVersion: string; kind: string; namespace: string; name: string } {
  return { apiVersion: 'apps/v1', kind: 'Deployment', namespace: p.namespace, name: NAME };
}

function hpaRef(p: ProbeHandle): { apiVersion: string; kind: string; namespace: string; name: string } {
  return { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace: p.namespace, name: NAME };
}

/**
 * Drives the metric's total to `total`, waits until the HPA, having observed the metric past its
 * target (above it when rising, below when falling), wants `replicas`, then until the Deployment
 * runs exactly that many. Logs how long each reaction of the cluster took; returns what the HPA saw.
 */
async function scaleStep(
  p: ProbeHandle,
  source: MetricSource,
  target: ScalingTarget,
  step: { total: number; replicas: number; rising: boolean },
): Promise<Observed> {
  const { metric, target: perReplica } = target;
  const { replicas, rising } = step;
  const t0 = Date.now();
  const did = await source.drive(target, step.total);
  p.log(rising ? `${did} (${String(replicas)} x the target)` : did);
  const reading = await waitFor(
    p.kube,
    hpaRef(p),
    hpaWants(metric, perReplica, String(replicas), (desired, seen) =>
      rising ? desired >= replicas && seen.value > perReplica : desired <= replicas && seen.value < perReplica,
    ),
    p.waitOptions(),
  );
  const decided = Date.now();
  const plural = replicas === 1 ? '' : 's';
  p.log(
    `HPA observed ${metric} = ${reading.observed.quantity} (target ${String(perReplica)}) and wants ${String(reading.desired)} replica${plural}, ${formatDuration(decided - t0)} after the metric ${rising ? 'rose' : 'fell (scale-down stabilization window 0s)'}`,
  );
  await waitFor(p.kube, deploymentRef(p), deploymentAt(replicas), p.waitOptions());
  p.log(
    `Deployment ${NAME} runs ${String(replicas)} available replica${plural}, ${formatDuration(Date.now() - decided)} after the HPA decided`,
  );
  return reading.observed;
}

function requireApi(problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(`the HPA cannot read custom metrics: ${problems.join('; ')}`);
}

async function readApiAvailability(p: ProbeHandle): Promise<ReturnType<typeof judgeApiServices>> {
  let services: APIService[];
  try {
    services =
      (await p.kube.getJson<{ items?: APIService[] }>('/apis/apiregistration.k8s.io/v1/apiservices')).items ?? [];
  } catch (err) {
    throw (
      p.kube.clusterError(err) ?? new ProbeError(`cannot list APIServices: ${(err as Error).message}`, { cause: err })
    );
  }
  return judgeApiServices(services);
}

/** The metric as the HPA will read it: the Deployment's value (Object) or each pod's (Pods). */
async function readCustomMetric(p: ProbeHandle, source: MetricSource, metric: string): Promise<MetricValue[]> {
  const group = await p.kube.getJson<{ preferredVersion?: { groupVersion?: string } }>(`/apis/${CUSTOM_METRICS_GROUP}`);
  const gv = group.preferredVersion?.groupVersion ?? `${CUSTOM_METRICS_GROUP}/v1beta2`;
  const ns = encodeURIComponent(p.namespace);
  const m = encodeURIComponent(metric);
  if (source.metricType === 'Object') {
    return parseMetricValues(await p.kube.getJson(`/apis/${gv}/namespaces/${ns}/deployments.apps/${NAME}/${m}`));
  }
  return parseMetricValues(
    await p.kube.getJson(`/apis/${gv}/namespaces/${ns}/pods/*/${m}`, { labelSelector: SELECTOR }),
  );
}

interface Placement {
  pod: string;
  phase: string;
  node: string;
  allocatable: number;
}

/** The Deployment's pods (not terminating), their phase and their node's allocatable accelerators. */
async function podPlacement(p: ProbeHandle, acc: Accelerator): Promise<Placement[]> {
  const pods = await p.list<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: p.namespace, labelSelector: SELECTOR });
  const nodes = new Map((await readAcceleratorNodes(p.kube, acc)).map((n) => [n.name, n.allocatable]));
  return pods
    .filter((pod) => pod.metadata?.deletionTimestamp === undefined)
    .map((pod) => ({
      pod: pod.metadata?.name ?? '?',
      phase: pod.status?.phase ?? 'Unknown',
      node: pod.spec?.nodeName ?? '(none)',
      allocatable: nodes.get(pod.spec?.nodeName ?? '') ?? 0,
    }));
}
