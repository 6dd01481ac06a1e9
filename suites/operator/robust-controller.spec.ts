/**
 * robust_controller (KAR-0063), after upstream TestRobustCRDControllerOperation (PR #90): a complex
 * AI operator (Kubeflow Trainer v2 first; others are entries in operators.ts) is running, its CRDs
 * are registered, its validating admission webhook is registered and answers, it denies an invalid
 * CR (told apart from the API server's schema validation and from a failing webhook call), and its
 * controller reconciles a valid CR to Complete=True through its own children (TrainJob → JobSet →
 * Job → Pod). Where the operator does not run as pods (its webhook is served from a URL outside the
 * cluster), OperatorPodsRunning says so and reports the check it made instead.
 */
import { expect } from 'chai';
import { describeApiError, httpStatus } from '../../src/kube/client.js';
import { TerminalConditionError, type Condition } from '../../src/kube/conditions.js';
import { runLabels } from '../../src/kube/labels.js';
import { loadManifests, withLabels } from '../../src/kube/manifest.js';
import type { KubeObject, Pod } from '../../src/kube/objects.js';
import { conditionText, describeObject, findCondition } from '../../src/kube/status-text.js';
import { waitFor, WaitTimeoutError } from '../../src/kube/wait.js';
import { manifestFile } from '../../src/paths.js';
import { probe, ProbeError } from '../../src/runner/probe.js';
import {
  classifyRejection,
  configurationProblems,
  describeRejection,
  describeServedFrom,
  servedFrom,
  webhooksCovering,
  type Rejection,
  type WebhookConfiguration,
} from './admission.js';
import { describeChain, incompleteLevel, readChildChain } from './children.js';
import { chooseOperator, OPERATORS, type OperatorChoice, type OperatorProfile } from './operators.js';

const CATEGORY = 'operator';
const VALID = 'robust-controller-valid';
const INVALID = 'robust-controller-invalid';
const DRY_RUN = 'robust-controller-dry-run';

type Created = { created: KubeObject } | { rejected: Rejection };

interface Crd extends KubeObject {
  spec?: { versions?: { name: string; served?: boolean }[] };
}

probe('robust-controller', 'TestRobustCRDControllerOperation', (p) => {
  let choice: OperatorChoice;

  before(async function () {
    const installed = new Set<string>();
    for (const crd of OPERATORS.map((o) => o.crds[0] ?? '')) if ((await readCrd(crd)) !== undefined) installed.add(crd);
    choice = chooseOperator(p.param('operator'), installed);
    if ('note' in choice) p.log(choice.note);
  });

  /** The chosen operator, or the whole subtest skipped/failed with the choice's reason. */
  function operator(mochaCtx: Mocha.Context): OperatorProfile {
    if ('skip' in choice) return p.skip(mochaCtx, choice.skip);
    if ('fail' in choice) expect.fail(choice.fail);
    return choice.profile;
  }

  function runtimeName(op: OperatorProfile): string {
    return p.param(op.prerequisite.parameter) || op.prerequisite.defaultName;
  }

  function readCrd(name: string): Promise<Crd | undefined> {
    return p.get<Crd>({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name });
  }

  function readWebhookConfig(op: OperatorProfile): Promise<WebhookConfiguration | undefined> {
    return p.get<WebhookConfiguration>({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      name: op.validatingWebhook,
    });
  }

  async function requireWebhookConfig(op: OperatorProfile): Promise<WebhookConfiguration> {
    const config = await readWebhookConfig(op);
    if (config === undefined)
      expect.fail(
        `ValidatingWebhookConfiguration ${op.validatingWebhook} does not exist: ${op.title}'s admission webhook is not registered`,
      );
    return config;
  }

  /** Fails the subtest when the object the valid CR refers to (the training runtime) is missing. */
  async function requirePrerequisite(op: OperatorProfile): Promise<void> {
    const name = runtimeName(op);
    const pre = op.prerequisite;
    if ((await p.get({ apiVersion: pre.apiVersion, kind: pre.kind, name })) === undefined)
      expect.fail(
        `${pre.kind} ${name} does not exist (parameter ${pre.parameter}): the valid ${op.resource.kind} refers to it`,
      );
  }

  function manifest(op: OperatorProfile, which: 'valid' | 'invalid', name: string): KubeObject {
    const runtime = which === 'valid' ? runtimeName(op) : op.missingPrerequisite;
    const [obj] = loadManifests(manifestFile(CATEGORY, op.manifests[which]), { name, runtime });
    if (obj === undefined) throw new ProbeError(`${op.manifests[which]} holds no object`);
    const labelled = withLabels(obj, runLabels(p.ctx.runId, p.id));
    labelled.metadata = { ...labelled.metadata, namespace: p.namespace };
    return labelled;
  }

  /** Creates the CR (or dry-runs it) and says who rejected it; a real create is deleted on cleanup. */
  async function create(op: OperatorProfile, obj: KubeObject, dryRun: boolean, ours: string[]): Promise<Created> {
    let created: KubeObject;
    try {
      created = await p.kube.objects.create(obj as never, undefined, dryRun ? 'All' : undefined);
    } catch (err) {
      const status = httpStatus(err);
      if (status === undefined) throw p.kube.clusterError(err) ?? err;
      if (status === 404) {
        expect.fail(
          `the cluster does not serve ${op.resource.kind} in ${op.resource.apiVersion} (${describeApiError(err)}): ${op.title}'s CRD ${op.crds[0] ?? ''} is not installed`,
        );
      }
      return { rejected: classifyRejection(status, describeApiError(err), ours) };
    }
    if (!dryRun) {
      const name = created.metadata?.name ?? '';
      const ref = { apiVersion: op.resource.apiVersion, kind: op.resource.kind, namespace: p.namespace, name };
      p.cleanup.push(`delete ${op.resource.kind} ${p.namespace}/${name}`, async () => {
        await p.deleteIfPresent(ref, { propagation: 'Foreground' });
      });
    }
    return { created };
  }

  const ourWebhooks = (config: WebhookConfiguration | undefined): string[] =>
    (config?.webhooks ?? []).map((w) => w.name);

  /**
   * A server-side dry run of a valid CR, which the API server sends through every admission
   * webhook that matches it; with failurePolicy Fail a success means each of them answered.
   */
  async function dryRunValid(op: OperatorProfile, config: WebhookConfiguration): Promise<string> {
    const result = await create(op, manifest(op, 'valid', DRY_RUN), true, ourWebhooks(config));
    if ('rejected' in result)
      expect.fail(
        `a server-side dry run of a valid ${op.resource.kind} did not pass admission: ${describeRejection(result.rejected, op.validatingWebhook)}`,
      );
    const covering = webhooksCovering(config, op.resource.apiVersion, op.resource.plural);
    const policies = covering.map((w) => `${w.name} failurePolicy ${w.failurePolicy ?? 'Fail'}`).join(', ');
    const proof = covering.every((w) => (w.failurePolicy ?? 'Fail') === 'Fail')
      ? `so ${covering.length === 1 ? 'it' : 'each of them'} answered and allowed it`
      : 'but a webhook with failurePolicy Ignore may not have answered at all';
    return `a server-side dry run of a valid ${op.resource.kind} (runtime ${runtimeName(op)}) passed admission through ${policies}: ${proof}`;
  }

  it('OperatorPodsRunning', async function () {
    const op = operator(this);
    const pods = await p.kube.listAll<Pod>(`/api/v1/namespaces/${encodeURIComponent(op.pods.namespace)}/pods`, {
      labelSelector: op.pods.labelSelector,
    });
    const ready = pods.filter(
      (pod) => pod.status?.phase === 'Running' && findCondition(pod, 'Ready')?.status === 'True',
    );
    const where = `pods in ${op.pods.namespace} with ${op.pods.labelSelector}`;
    p.log(`${where}: ${String(pods.length)} found, ${String(ready.length)} Running and Ready`);

    const config = await readWebhookConfig(op);
    if (config === undefined) {
      p.log(
        `ValidatingWebhookConfiguration ${op.validatingWebhook} does not exist: the Ready pods are the only evidence`,
      );
      expect(
        ready.length,
        `no Ready ${where}, and no ${op.validatingWebhook} to say where ${op.title} runs`,
      ).to.be.greaterThan(0);
      return;
    }
    const covering = webhooksCovering(config, op.resource.apiVersion, op.resource.plural);
    const hooks = covering.length > 0 ? covering : (config.webhooks ?? []);
    if (hooks.length === 0)
      expect.fail(`${op.validatingWebhook} has no webhooks: nothing says where ${op.title} is served from`);
    let outsideCluster = false;
    for (const hook of hooks) {
      const served = servedFrom(hook);
      p.log(`webhook ${hook.name} is served from ${describeServedFrom(served)}`);
      if ('missing' in served) expect.fail(`webhook ${hook.name} has neither clientConfig.url nor service`);
      if ('url' in served) {
        outsideCluster = true;
        continue;
      }
      const s = served.service;
      const behind = await readyPodsBehind(s.namespace, s.name);
      p.log(`Service ${s.namespace}/${s.name}: ${behind.summary}`);
      expect(
        behind.ready,
        `the Service ${s.namespace}/${s.name} that serves webhook ${hook.name} has no Running and Ready pod behind it (${behind.summary})`,
      ).to.be.greaterThan(0);
    }
    if (outsideCluster) {
      p.log(
        `${op.title} does not run as pods here: its webhook is served from a URL, outside the cluster's pods, so no operator pod is checked; checked instead that the server at that URL answers the API server`,
      );
      p.log(await dryRunValid(op, config));
      p.log(`that its controller reconciles is ControllerReconcilesCR's check`);
    }
  });

  /** Pods that the Service's EndpointSlices list as ready, and whether they are Running and Ready. */
  async function readyPodsBehind(namespace: string, service: string): Promise<{ ready: number; summary: string }> {
    const slices = await p.kube.listAll<{
      endpoints?: { conditions?: { ready?: boolean }; targetRef?: { kind?: string; name?: string } }[];
    }>(`/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/endpointslices`, {
      labelSelector: `kubernetes.io/service-name=${service}`,
    });
    const names = slices
      .flatMap((s) => s.endpoints ?? [])
      .filter((e) => e.conditions?.ready !== false && e.targetRef?.kind === 'Pod' && e.targetRef.name !== undefined)
      .map((e) => e.targetRef?.name ?? '');
    const states: string[] = [];
    let ready = 0;
    for (const name of names) {
      const pod = await p.get<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace, name });
      const ok = pod?.status?.phase === 'Running' && findCondition(pod, 'Ready')?.status === 'True';
      if (ok) ready += 1;
      states.push(`pod ${name}: ${describeObject(pod)}`);
    }
    return { ready, summary: states.length === 0 ? 'no ready endpoint with a pod' : states.join('; ') };
  }

  it('CRDRegistered', async function () {
    const op = operator(this);
    for (const name of op.crds) {
      const crd = await readCrd(name);
      if (crd === undefined) expect.fail(`CRD ${name} is not installed: ${op.title} is not (fully) installed`);
      for (const type of ['Established', 'NamesAccepted']) {
        const c = findCondition(crd, type);
        expect(c?.status, `CRD ${name}: ${c === undefined ? `no ${type} condition` : conditionText(c)}`).to.equal(
          'True',
        );
      }
      const served = (crd.spec?.versions ?? []).filter((v) => v.served !== false).map((v) => v.name);
      p.log(`CRD ${name}: Established, NamesAccepted, serves ${served.join(', ')}`);
      if (name === op.crds[0]) {
        const version = op.resource.apiVersion.split('/')[1] ?? '';
        expect(
          served,
          `CRD ${name} does not serve ${version}, the version of the probe's ${op.resource.kind}`,
        ).to.include(version);
      }
    }
  });

  it('WebhookOperational', async function () {
    const op = operator(this);
    const config = await requireWebhookConfig(op);
    const problems = configurationProblems(config, op.resource.apiVersion, op.resource.plural);
    expect(problems, `ValidatingWebhookConfiguration ${op.validatingWebhook}: ${problems.join('; ')}`).to.deep.equal(
      [],
    );
    for (const w of config.webhooks ?? []) {
      const rules = (w.rules ?? []).map((r) => `${(r.operations ?? []).join('/')} ${(r.resources ?? []).join(',')}`);
      p.log(
        `webhook ${w.name}: ${rules.join('; ')}, failurePolicy ${w.failurePolicy ?? 'Fail'}, caBundle set, served from ${describeServedFrom(servedFrom(w))}`,
      );
    }
    await requirePrerequisite(op);
    p.log(await dryRunValid(op, config));
  });

  it('WebhookRejectsInvalidCR', async function () {
    const op = operator(this);
    const config = await requireWebhookConfig(op);
    const obj = manifest(op, 'invalid', INVALID);
    const what = `${op.resource.kind} ${INVALID} (runtimeRef ${op.prerequisite.kind} ${op.missingPrerequisite}, which does not exist)`;
    const result = await create(op, obj, false, ourWebhooks(config));
    if ('created' in result) expect.fail(`the invalid ${what} was accepted: created, no admission webhook rejected it`);
    const r = result.rejected;
    const line = describeRejection(r, op.validatingWebhook);
    if (r.by !== 'webhook' || !r.ours)
      expect.fail(`the invalid ${what} was not denied by ${op.title}'s webhook: ${line}`);
    p.log(`the invalid ${what} was ${line}`);
  });

  it('ControllerReconcilesCR', async function () {
    const op = operator(this);
    await requirePrerequisite(op);
    const config = await readWebhookConfig(op);
    const result = await create(op, manifest(op, 'valid', VALID), false, ourWebhooks(config));
    if ('rejected' in result)
      expect.fail(
        `creating the valid ${op.resource.kind} ${VALID} failed: ${describeRejection(result.rejected, op.validatingWebhook)}`,
      );
    const uid = result.created.metadata?.uid ?? '';
    p.log(`${op.resource.kind} ${VALID} created on runtime ${runtimeName(op)}`);
    const ref = { apiVersion: op.resource.apiVersion, kind: op.resource.kind, namespace: p.namespace, name: VALID };
    let done: KubeObject;
    try {
      done = await waitFor(p.kube, ref, crComplete(op), {
        timeoutMs: p.waitMs,
        log: (l) => {
          p.log(l);
        },
        heartbeatMs: p.heartbeatMs,
      });
    } catch (err) {
      if (!(err instanceof WaitTimeoutError || err instanceof TerminalConditionError)) throw err;
      const chain = describeChain(
        await readChildChain(p.kube, p.namespace, uid, op.children),
        `${op.resource.kind} ${VALID}`,
      );
      expect.fail(`${err.message}; its children: ${chain}`);
    }
    p.log(`${op.resource.kind} ${VALID}: ${describeObject(done)}`);
    const levels = await readChildChain(p.kube, p.namespace, uid, op.children);
    const chain = describeChain(levels, `${op.resource.kind} ${VALID}`);
    const missing = incompleteLevel(levels);
    if (missing !== undefined)
      expect.fail(
        `${op.resource.kind} ${VALID} is ${op.complete}=True, but not through ${op.title}'s own children: ${missing.objects.length === 0 ? `no ${missing.kind}` : `${missing.kind} not all finished`} (${chain})`,
      );
    p.log(`reconciled through its children: ${chain}`);
  });
});

/** The CR's `complete` condition True; terminal when its `failed` condition is True. */
function crComplete(op: OperatorProfile): Condition<KubeObject | undefined, KubeObject> {
  return {
    description: `to be ${op.complete}=True`,
    test(obj) {
      if (obj === undefined) return false;
      const failed = findCondition(obj, op.failed);
      if (failed?.status === 'True')
        throw new TerminalConditionError(`${op.resource.kind} failed: ${conditionText(failed)}`);
      return findCondition(obj, op.complete)?.status === 'True' ? { done: true, value: obj } : false;
    },
    describe: describeObject,
  };
}
