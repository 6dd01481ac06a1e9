import { expect } from 'chai';
import { parseManifests } from '../../../src/kube/manifest.js';
import type { KubeObject } from '../../../src/kube/objects.js';
import { manifestFile } from '../../../src/paths.js';
import { readFileSync } from 'node:fs';
import {
  classifyRejection,
  configurationProblems,
  describeRejection,
  describeServedFrom,
  servedFrom,
  webhooksCovering,
  type WebhookConfiguration,
} from '../../../suites/operator/admission.js';
import { childChain, describeChain, incompleteLevel } from '../../../suites/operator/children.js';
import { chooseOperator, OPERATORS } from '../../../suites/operator/operators.js';

const TRAINER = OPERATORS.find((o) => o.id === 'kubeflow-trainer');
if (TRAINER === undefined) throw new Error('no kubeflow-trainer profile');

const rule = (resources: string[], operations = ['CREATE', 'UPDATE']) => ({
  apiGroups: ['trainer.kubeflow.org'],
  apiVersions: ['v1alpha1'],
  operations,
  resources,
});

function config(clientConfig: Record<string, unknown>, caBundle = 'Q0E='): WebhookConfiguration {
  return {
    metadata: { name: 'validator.trainer.kubeflow.org' },
    webhooks: [
      {
        name: 'validator.clustertrainingruntime.trainer.kubeflow.org',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        clientConfig: { ...clientConfig, caBundle },
        rules: [rule(['clustertrainingruntimes'])],
      },
      {
        name: 'validator.trainjob.trainer.kubeflow.org',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        clientConfig: { ...clientConfig, caBundle },
        rules: [rule(['trainjobs'])],
      },
    ],
  };
}

describe('suites/operator: choosing the operator', () => {
  it('auto detects Kubeflow Trainer by its TrainJob CRD', () => {
    const c = chooseOperator('auto', new Set(['trainjobs.trainer.kubeflow.org']));
    expect(c).to.have.property('profile', TRAINER);
    expect((c as { note: string }).note).to.equal(
      'operator=auto: detected Kubeflow Trainer v2 (CRD trainjobs.trainer.kubeflow.org)',
    );
  });

  it('auto with no known CRD skips, naming what it looked for and the parameter', () => {
    const c = chooseOperator('auto', new Set());
    expect(c).to.have.property('skip');
    const reason = (c as { skip: string }).skip;
    expect(reason).to.include('trainjobs.trainer.kubeflow.org (Kubeflow Trainer v2)');
    expect(reason).to.include('set the operator parameter');
  });

  it('a named operator is taken even when its CRD is missing (CRDRegistered then fails)', () => {
    expect(chooseOperator('kubeflow-trainer', new Set())).to.have.property('profile', TRAINER);
  });

  it('none skips naming the parameter; an unknown id fails', () => {
    expect((chooseOperator('none', new Set()) as { skip: string }).skip).to.match(/^operator=none: /);
    expect((chooseOperator('kuberay', new Set()) as { fail: string }).fail).to.equal(
      'operator=kuberay is not a known operator (known: kubeflow-trainer)',
    );
  });
});

describe('suites/operator/admission: the webhook configuration', () => {
  it('finds the webhook whose rules cover CREATE of trainjobs', () => {
    const c = config({ url: 'https://127.0.0.1:9444/validate' });
    expect(webhooksCovering(c, 'trainer.kubeflow.org/v1alpha1', 'trainjobs').map((w) => w.name)).to.deep.equal([
      'validator.trainjob.trainer.kubeflow.org',
    ]);
    expect(webhooksCovering(c, 'trainer.kubeflow.org/v1', 'trainjobs')).to.deep.equal([]);
    expect(configurationProblems(c, 'trainer.kubeflow.org/v1alpha1', 'trainjobs')).to.deep.equal([]);
  });

  it('names an empty caBundle, a webhook without rules, and no rule for the CR', () => {
    const c = config({ url: 'https://x' }, '');
    const first = c.webhooks?.[0];
    if (first !== undefined) first.rules = [];
    c.webhooks = c.webhooks?.slice(0, 1);
    expect(configurationProblems(c, 'trainer.kubeflow.org/v1alpha1', 'trainjobs')).to.deep.equal([
      'webhook validator.clustertrainingruntime.trainer.kubeflow.org has no rules',
      'webhook validator.clustertrainingruntime.trainer.kubeflow.org has an empty caBundle',
      "no webhook's rules cover CREATE of trainjobs in trainer.kubeflow.org/v1alpha1",
    ]);
    expect(configurationProblems({ webhooks: [] }, 'a/v1', 'x')).to.deep.equal(['it has no webhooks']);
  });

  it('says where a webhook is served from: a URL or a Service', () => {
    const byUrl = config({ url: 'https://127.0.0.1:9444/validate-trainer-kubeflow-org-v1alpha1-trainjob' });
    const w = byUrl.webhooks?.[1];
    if (w === undefined) throw new Error('fixture');
    expect(describeServedFrom(servedFrom(w))).to.equal(
      'URL https://127.0.0.1:9444/validate-trainer-kubeflow-org-v1alpha1-trainjob (clientConfig.url)',
    );
    const bySvc = config({
      service: { namespace: 'kubeflow-system', name: 'kubeflow-trainer-controller-manager', path: '/validate' },
    });
    const s = bySvc.webhooks?.[1];
    if (s === undefined) throw new Error('fixture');
    expect(describeServedFrom(servedFrom(s))).to.equal(
      'Service kubeflow-system/kubeflow-trainer-controller-manager:443/validate',
    );
  });
});

describe('suites/operator/admission: who rejected the create', () => {
  const ours = ['validator.trainjob.trainer.kubeflow.org'];

  it("recognises the operator's denial", () => {
    const msg =
      '403 Forbidden: admission webhook "validator.trainjob.trainer.kubeflow.org" denied the request: spec.RuntimeRef: Invalid value: ...: clustertrainingruntimes.trainer.kubeflow.org "does-not-exist-runtime" not found';
    const r = classifyRejection(403, msg, ours);
    expect(r).to.deep.include({ by: 'webhook', webhook: 'validator.trainjob.trainer.kubeflow.org', ours: true });
    expect(describeRejection(r, 'validator.trainer.kubeflow.org')).to.match(
      /^denied by the operator's admission webhook validator\.trainjob\.trainer\.kubeflow\.org: /,
    );
  });

  it("tells another webhook's denial from the operator's", () => {
    const r = classifyRejection(
      403,
      'admission webhook "vtrainjob.kb.io" denied the request: unsupported runtime',
      ours,
    );
    expect(r).to.deep.include({ by: 'webhook', ours: false });
    expect(describeRejection(r, 'validator.trainer.kubeflow.org')).to.include(
      'rejected by admission webhook vtrainjob.kb.io, which is not in validator.trainer.kubeflow.org',
    );
  });

  it('tells a failed webhook call (the webhook is down) from a denial', () => {
    const msg =
      '500 InternalError: Internal error occurred: failed calling webhook "defaulter.trainjob.trainer.kubeflow.org": failed to call webhook: Post "https://127.0.0.1:9449/mutate": dial tcp 127.0.0.1:9449: connect: connection refused';
    const r = classifyRejection(500, msg, ours);
    expect(r).to.deep.include({ by: 'call-error', webhook: 'defaulter.trainjob.trainer.kubeflow.org' });
    expect(describeRejection(r, 'validator.trainer.kubeflow.org')).to.match(
      /^the call to admission webhook defaulter\.trainjob\.trainer\.kubeflow\.org errored \(the webhook did not answer/,
    );
  });

  it('tells schema validation (422, no webhook named) from a webhook denial', () => {
    const msg = '422 Invalid: TrainJob.trainer.kubeflow.org "x" is invalid: spec.managedBy: Invalid value: "x"';
    const r = classifyRejection(422, msg, ours);
    expect(r).to.deep.equal({ by: 'schema', message: msg });
    expect(describeRejection(r, 'validator.trainer.kubeflow.org')).to.match(
      /^rejected by the API server's schema validation, not by an admission webhook: /,
    );
    expect(classifyRejection(409, '409 AlreadyExists: x', ours)).to.deep.include({ by: 'other' });
  });
});

describe('suites/operator/children: the chain of child objects', () => {
  const owned = (
    kind: string,
    name: string,
    uid: string,
    owner: string,
    status: Record<string, unknown>,
  ): KubeObject => ({
    kind,
    metadata: { name, uid, ownerReferences: [{ apiVersion: 'x', kind: 'x', name: 'x', uid: owner }] },
    status,
  });
  const kinds = TRAINER.children;

  it('follows ownerReferences from the TrainJob down to Succeeded pods', () => {
    const lists = [
      [owned('JobSet', 'tj', 'js', 'root', { conditions: [{ type: 'Completed', status: 'True' }] })],
      [
        owned('Job', 'tj-node-0', 'job', 'js', { conditions: [{ type: 'Complete', status: 'True' }] }),
        owned('Job', 'other', 'o', 'elsewhere', {}),
      ],
      [{ ...owned('Pod', 'tj-node-0-0-x', 'pod', 'job', { phase: 'Succeeded' }), spec: { nodeName: 'cpu-0' } }],
    ];
    const levels = childChain('root', kinds, lists);
    expect(levels.map((l) => l.objects.length)).to.deep.equal([1, 1, 1]);
    expect(incompleteLevel(levels)).to.equal(undefined);
    expect(describeChain(levels, 'TrainJob tj')).to.equal(
      'JobSet tj (Completed=True) → Job tj-node-0 (Complete=True) → Pod tj-node-0-0-x (Succeeded on cpu-0)',
    );
  });

  it('names the first missing level and stops there', () => {
    const lists = [[owned('JobSet', 'tj', 'js', 'root', {})], [], []];
    const levels = childChain('root', kinds, lists);
    expect(incompleteLevel(levels)?.kind).to.equal('JobSet');
    expect(describeChain(levels, 'TrainJob tj')).to.equal(
      'JobSet tj (no status conditions) → no Job owned by JobSet tj',
    );
    expect(describeChain(childChain('root', kinds, [[], [], []]), 'TrainJob tj')).to.equal(
      'no JobSet owned by TrainJob tj',
    );
  });
});

describe('suites/operator manifests', () => {
  const load = (file: string, runtime: string): KubeObject[] =>
    parseManifests(readFileSync(manifestFile('operator', file), 'utf8'), { name: 'n', runtime }, file);

  it('the valid TrainJob refers to the runtime by name, kind and group; the invalid one to the missing runtime', () => {
    const [valid] = load(TRAINER.manifests.valid, 'torch-distributed');
    expect(valid?.spec).to.deep.include({
      runtimeRef: { apiGroup: 'trainer.kubeflow.org', kind: 'ClusterTrainingRuntime', name: 'torch-distributed' },
    });
    const [invalid] = load(TRAINER.manifests.invalid, TRAINER.missingPrerequisite);
    expect((invalid?.spec as { runtimeRef: { name: string } }).runtimeRef.name).to.equal('does-not-exist-runtime');
    expect(invalid?.kind).to.equal('TrainJob');
  });
});
