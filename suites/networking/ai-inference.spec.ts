/**
 * ai_inference: the platform's Gateway API implementation manages inference traffic. The probe
 * finds the Gateway API CRDs and an accepted GatewayClass, makes its own Gateway of that class and
 * two echo backends, then measures what the data plane does: an 80/20 weighted HTTPRoute must
 * split N requests inside a binomial acceptance interval (split.ts), an OpenAI-style model header
 * must pick the backend every time, and routes must report Accepted / ResolvedRefs from the
 * Gateway's own controller (ResolvedRefs=False for a Service that does not exist). Requests go
 * from the runner to the Gateway's address, or from client pods (parameter inferenceClient).
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { matches } from '../../src/kube/conditions.js';
import type { ManifestParams } from '../../src/kube/manifest.js';
import type { KubeObject, Pod } from '../../src/kube/objects.js';
import { conditionsOf, conditionText, findCondition } from '../../src/kube/status-text.js';
import { readTerminationJson } from '../../src/kube/termination.js';
import { waitFor } from '../../src/kube/wait.js';
import { fetchFromEndpoint } from '../../src/metrics/endpoint.js';
import { pollUntil } from '../../src/metrics/poll.js';
import { manifestFile } from '../../src/paths.js';
import { probe, ProbeError, type ProbeHandle } from '../../src/runner/probe.js';
import { podRef } from '../shared/accelerator-pods.js';
import {
  chooseGatewayClass,
  crdProblem,
  GATEWAY_API,
  gatewayClassInfo,
  readGatewayCrds,
  type CrdState,
  type GatewayClassInfo,
} from './gateway/detect.js';
import { judgeSplit } from './gateway/split.js';
import {
  describeTally,
  gatewayUrl,
  runnerReaches,
  sendFromRunner,
  tallyFromReport,
  type Batch,
  type GatewayTarget,
  type Tally,
} from './gateway/traffic.js';

const CATEGORY = 'networking';
const BACKEND_A = 'inference-a';
const BACKEND_B = 'inference-b';
// agnhost's serve-hostname port (the Kubernetes e2e convention); off the common 8080.
const BACKEND_PORT = 9376;
const GATEWAY = 'inference';
const WEIGHTS = { a: { name: BACKEND_A, weight: 80 }, b: { name: BACKEND_B, weight: 20 } };
const MODEL_A = 'model-a';
const MODEL_B = 'model-b';
/** Requests per model in HeaderBasedRouting, and for the unknown model. */
const HEADER_REQUESTS = 20;
const UNKNOWN_REQUESTS = 5;

interface Shared {
  gatewayClass: GatewayClassInfo;
  target: GatewayTarget;
}

probe('ai-inference', 'TestAIInference', (p) => {
  let crds: CrdState[] = [];
  let notApplicable: string | undefined;
  /** The chosen class, or why none can be used (every subtest fails with it). */
  let choice: ReturnType<typeof chooseGatewayClass>;
  let backendsReady: Promise<void> | undefined;
  let sharedReady: Promise<Shared> | undefined;
  let clientChoice: Promise<'runner' | 'pod'> | undefined;
  let clientPods = 0;

  before(async function () {
    crds = await readGatewayCrds(p.kube);
    const problem = crdProblem(crds);
    if (problem !== undefined && 'skip' in problem) {
      notApplicable = problem.skip;
      return;
    }
    if (problem !== undefined) {
      choice = { fail: problem.fail };
      return;
    }
    const classes = await p.kube.listAll<KubeObject>(`/apis/${GATEWAY_API}/gatewayclasses`);
    choice = chooseGatewayClass(classes.map(gatewayClassInfo), p.param('gatewayClass'));
    if ('note' in choice) p.log(choice.note);
  });

  beforeEach(function () {
    if (notApplicable !== undefined) p.skip(this, notApplicable);
  });

  const domain = (): string => `${p.namespace}.ai-conformance.invalid`;
  const port = (): number => Number(p.params['gatewayListenerPort']);

  const create = (file: string, params: ManifestParams): Promise<KubeObject[]> => p.create(CATEGORY, file, params);

  function chosenClass(): GatewayClassInfo {
    if ('fail' in choice) expect.fail(choice.fail);
    return choice.gatewayClass;
  }

  /** The two echo backends, Running and Ready; shared by the traffic subtests. */
  function backends(): Promise<void> {
    return (backendsReady ??= (async () => {
      for (const name of [BACKEND_A, BACKEND_B])
        await create('inference-backend.yaml', { name, echoImage: p.param('echoImage'), port: BACKEND_PORT });
      const ready = matches<Pod | undefined>(
        'to be Running and Ready',
        (pod) => pod?.status?.phase === 'Running' && findCondition(pod, 'Ready')?.status === 'True',
        (pod) =>
          pod === undefined
            ? 'not found'
            : `phase=${pod.status?.phase ?? '?'}, ${conditionsOf(pod).map(conditionText).join(', ')}`,
      );
      for (const name of [BACKEND_A, BACKEND_B])
        await waitFor(p.kube, podRef(p.namespace, name), ready, p.waitOptions());
      // Ready is not yet answering on every platform: each backend must answer its own name
      // through the API server's service proxy before traffic through the Gateway is judged.
      for (const name of [BACKEND_A, BACKEND_B]) {
        const endpoint = {
          kind: 'service',
          namespace: p.namespace,
          service: name,
          port: String(BACKEND_PORT),
          path: '',
        } as const;
        await pollUntil(
          () =>
            fetchFromEndpoint(p.kube, endpoint, 'hostname').catch((err: unknown) => ({ status: 0, text: String(err) })),
          (r) => r.status === 200 && r.text.trim() === name,
          (r) => `HTTP ${String(r.status)}: ${r.text.slice(0, 80)}`,
          {
            description: `backend ${p.namespace}/${name} to answer its name at /hostname through the service proxy`,
            ...p.waitOptions(),
            intervalMs: 500,
          },
        );
      }
      p.log(`backends ${BACKEND_A} and ${BACKEND_B} Running, Ready and answering`);
    })());
  }

  /** The probe's Gateway, Programmed with an address; shared by every subtest after the first. */
  function gateway(): Promise<Shared> {
    const gatewayClass = chosenClass();
    return (sharedReady ??= (async () => {
      await create('inference-gateway.yaml', { name: GATEWAY, gatewayClass: gatewayClass.name, port: port() });
      const programmed = matches<KubeObject | undefined>(
        'to be Programmed with an address',
        (gw) => findCondition(gw, 'Programmed')?.status === 'True' && gatewayAddress(gw) !== undefined,
        describeGateway,
      );
      const gw = await waitFor(
        p.kube,
        { apiVersion: GATEWAY_API, kind: 'Gateway', namespace: p.namespace, name: GATEWAY },
        programmed,
        p.waitOptions(),
      );
      const target = { address: gatewayAddress(gw) ?? '', port: port() };
      p.log(`Gateway ${GATEWAY} (class ${gatewayClass.name}) Programmed: ${describeGateway(gw)}`);
      return { gatewayClass, target };
    })());
  }

  /** Waits until the route's status has an entry from our controller with Accepted and ResolvedRefs as wanted. */
  async function routeStatus(name: string, controller: string, resolved: 'True' | 'False'): Promise<string> {
    const cond = matches<KubeObject | undefined>(
      `to be Accepted=True and ResolvedRefs=${resolved} by ${controller}`,
      (route) => {
        const parent = parentStatus(route, controller);
        return (
          findCondition(parent, 'Accepted')?.status === 'True' &&
          findCondition(parent, 'ResolvedRefs')?.status === resolved
        );
      },
      (route) => describeRouteStatus(route),
    );
    const route = await waitFor(
      p.kube,
      { apiVersion: GATEWAY_API, kind: 'HTTPRoute', namespace: p.namespace, name },
      cond,
      p.waitOptions(),
    );
    return describeRouteStatus(route);
  }

  /** runner or pod, decided once: auto asks the Gateway's address from the runner first. */
  function client(shared: Shared, host: string): Promise<'runner' | 'pod'> {
    return (clientChoice ??= (async () => {
      const wanted = p.param('inferenceClient');
      if (wanted === 'runner' || wanted === 'pod') {
        p.log(`inferenceClient=${wanted}`);
        return wanted;
      }
      const reach = await runnerReaches(shared.target, host);
      p.log(
        reach.ok
          ? `inferenceClient=auto: requests go from the runner (${reach.why})`
          : `inferenceClient=auto: the runner cannot reach ${gatewayUrl(shared.target).toString()} (${reach.why}); requests go from client pods`,
      );
      return reach.ok ? 'runner' : 'pod';
    })());
  }

  /**
   * The batch from the chosen client; first, when `expected` names backends, batches of 10 until
   * one of them answers and nothing else does (programming a route and its endpoints in the
   * Gateway takes a moment: a backend the Gateway does not route to yet answers 503).
   */
  async function send(shared: Shared, batch: Batch, expected: readonly string[]): Promise<Tally> {
    const how = await client(shared, batch.host);
    if (how === 'runner') {
      if (expected.length === 0) return sendFromRunner(shared.target, batch);
      const probeBatch = { ...batch, count: 10 };
      await pollUntil(
        () => sendFromRunner(shared.target, probeBatch),
        (t) => expected.some((name) => (t.answers[name] ?? 0) > 0) && Object.keys(t.others).length === 0,
        describeTally,
        {
          description: `${gatewayUrl(shared.target).toString()} (Host ${batch.host}) to answer from ${expected.join(' or ')}`,
          ...p.waitOptions(),
          intervalMs: 500,
        },
      );
      return sendFromRunner(shared.target, batch);
    }
    return sendFromPod(p, shared.target, batch, expected.length > 0, (clientPods += 1));
  }

  it('GatewayAPIInstalled', function () {
    for (const c of crds) p.log(`CRD ${c.name}: Established, serves ${c.servedVersions.join(', ')}`);
    const gatewayClass = chosenClass();
    expect(gatewayClass.accepted, `GatewayClass ${gatewayClass.name}: ${gatewayClass.acceptedText}`).to.equal(true);
    p.log(
      `GatewayClass ${gatewayClass.name} (controller ${gatewayClass.controllerName}): ${gatewayClass.acceptedText}`,
    );
  });

  it('GatewayProgrammed', async function () {
    const shared = await gateway();
    expect(shared.target.address, 'Gateway status address').to.not.equal('');
  });

  it('WeightedTrafficSplit', async function () {
    const shared = await gateway();
    await backends();
    const name = 'split';
    const hostname = `${name}.${domain()}`;
    await create('inference-split-route.yaml', {
      name,
      gateway: GATEWAY,
      hostname,
      backendA: BACKEND_A,
      backendB: BACKEND_B,
      port: BACKEND_PORT,
      weightA: WEIGHTS.a.weight,
      weightB: WEIGHTS.b.weight,
    });
    p.log(`HTTPRoute ${name}: ${await routeStatus(name, shared.gatewayClass.controllerName, 'True')}`);
    const n = Number(p.params['inferenceRequests']);
    const tally = await send(shared, { host: hostname, headers: {}, count: n }, [BACKEND_A, BACKEND_B]);
    p.log(`${String(n)} requests to ${hostname}: ${describeTally(tally)}`);
    const verdict = judgeSplit(tally.answers, WEIGHTS, tally.sent);
    p.log(verdict.summary);
    expect(
      verdict.ok,
      `the ${String(WEIGHTS.a.weight)}/${String(WEIGHTS.b.weight)} split is not honoured: ${verdict.summary}`,
    ).to.equal(true);
  });

  it('HeaderBasedRouting', async function () {
    const shared = await gateway();
    await backends();
    const name = 'by-model';
    const hostname = `${name}.${domain()}`;
    const header = p.param('inferenceModelHeader');
    await create('inference-header-route.yaml', {
      name,
      gateway: GATEWAY,
      hostname,
      header,
      modelA: MODEL_A,
      modelB: MODEL_B,
      backendA: BACKEND_A,
      backendB: BACKEND_B,
      port: BACKEND_PORT,
    });
    p.log(`HTTPRoute ${name}: ${await routeStatus(name, shared.gatewayClass.controllerName, 'True')}`);
    for (const [model, backend] of [
      [MODEL_A, BACKEND_A],
      [MODEL_B, BACKEND_B],
    ] as const) {
      const tally = await send(shared, { host: hostname, headers: { [header]: model }, count: HEADER_REQUESTS }, [
        backend,
      ]);
      p.log(`${header}: ${model} → ${describeTally(tally)}`);
      expect(
        tally.answers[backend] ?? 0,
        `requests with ${header}: ${model} must all reach ${backend}; got ${describeTally(tally)}`,
      ).to.equal(HEADER_REQUESTS);
    }
    const unknown = await send(
      shared,
      { host: hostname, headers: { [header]: 'model-unknown' }, count: UNKNOWN_REQUESTS },
      [],
    );
    p.log(`${header}: model-unknown → ${describeTally(unknown)}`);
    expect(
      unknown.others['404'] ?? 0,
      `a model no rule matches must get 404 (no matching route); got ${describeTally(unknown)}`,
    ).to.equal(UNKNOWN_REQUESTS);
  });

  it('RouteStatus', async function () {
    const shared = await gateway();
    await backends();
    const name = 'status';
    const missing = 'inference-missing';
    await create('inference-status-routes.yaml', {
      name,
      gateway: GATEWAY,
      domain: domain(),
      backendA: BACKEND_A,
      missing,
      port: BACKEND_PORT,
    });
    const controller = shared.gatewayClass.controllerName;
    p.log(`HTTPRoute ${name}-valid: ${await routeStatus(`${name}-valid`, controller, 'True')}`);
    p.log(
      `HTTPRoute ${name}-missing (Service ${missing} does not exist): ${await routeStatus(`${name}-missing`, controller, 'False')}`,
    );
  });
});

function gatewayAddress(gw: KubeObject | undefined): string | undefined {
  const addresses = (gw?.status as { addresses?: { value?: string }[] } | undefined)?.addresses ?? [];
  return addresses.find((a) => typeof a.value === 'string' && a.value !== '')?.value;
}

function describeGateway(gw: KubeObject | undefined): string {
  if (gw === undefined) return 'not found';
  const conditions = conditionsOf(gw).map(conditionText).join(', ') || 'no conditions (no controller has seen it)';
  return `${conditions}; address ${gatewayAddress(gw) ?? 'none'}`;
}

/** One entry of a route's status.parents, its conditions wrapped so that the status-text helpers read them. */
interface ParentStatus {
  controllerName: string;
  conditions: KubeObject;
}

function parentStatuses(route: KubeObject | undefined): ParentStatus[] {
  const parents = (route?.status as { parents?: { controllerName?: string; conditions?: unknown[] }[] } | undefined)
    ?.parents;
  return (parents ?? []).map((s) => ({
    controllerName: s.controllerName ?? '?',
    conditions: { status: { conditions: s.conditions ?? [] } },
  }));
}

/** The conditions of the route's status entry written by `controller` (status.parents[].controllerName). */
function parentStatus(route: KubeObject | undefined, controller: string): KubeObject | undefined {
  return parentStatuses(route).find((s) => s.controllerName === controller)?.conditions;
}

function describeRouteStatus(route: KubeObject | undefined): string {
  if (route === undefined) return 'not found';
  const parents = parentStatuses(route);
  if (parents.length === 0) return 'no status from any controller';
  return parents
    .map((s) => `${s.controllerName}: ${conditionsOf(s.conditions).map(conditionText).join(', ')}`)
    .join('; ');
}

/** One client pod runs the batch in the cluster and reports its counts in its termination message. */
async function sendFromPod(
  p: ProbeHandle,
  target: GatewayTarget,
  batch: Batch,
  warmup: boolean,
  seq: number,
): Promise<Tally> {
  const name = `inference-client-${String(seq)}`;
  const header = Object.entries(batch.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('');
  await p.create(CATEGORY, 'inference-client.yaml', {
    name,
    probeImage: p.param('probeImage'),
    script: readFileSync(manifestFile(CATEGORY, 'inference-client.sh'), 'utf8'),
    url: gatewayUrl(target).toString(),
    host: batch.host,
    header,
    count: String(batch.count),
    warmup: warmup ? '1' : '0',
  });
  const started = Date.now();
  const done = matches<Pod | undefined>(
    'to finish',
    (pod) => pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed',
    (pod) => (pod === undefined ? 'not found' : `phase=${pod.status?.phase ?? '?'}`),
  );
  const pod = await waitFor(p.kube, podRef(p.namespace, name), done, p.waitOptions());
  if (pod?.status?.phase !== 'Succeeded')
    throw new ProbeError(`client pod ${name} failed: phase ${pod?.status?.phase ?? '?'}`);
  try {
    const tally = tallyFromReport(readTerminationJson(pod, 'client'), batch.count);
    tally.elapsedMs = Date.now() - started;
    return tally;
  } catch (err) {
    throw new ProbeError(`client pod ${name}: ${(err as Error).message}`, { cause: err });
  }
}
