// TestRobustCRDControllerOperation on the test cluster (Kubeflow Trainer v2 + JobSet as host
// processes), through the real CLI: passes on the healthy cluster, saying that the operator's
// webhook is served from a URL and not from pods, and leaves nothing behind; with the Trainer's
// webhook unreachable the invalid TrainJob is not denied but the webhook call errors (and says so);
// with JobSet stopped the TrainJob never completes and the failure shows its last status and the
// JobSet nothing runs; operator=none skips.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { managedSelector, RUN_LABEL } from '../../../src/kube/labels.js';
import { requireCluster, testKube } from '../cluster.js';
import type { CliRun } from '../run-cli.js';
import { elapsedSeconds, explain, inVariant, runProfile, subtests } from './probe-run.js';

const TEST = 'TestRobustCRDControllerOperation';
const SUBTESTS = [
  'OperatorPodsRunning',
  'CRDRegistered',
  'WebhookOperational',
  'WebhookRejectsInvalidCR',
  'ControllerReconcilesCR',
];
const all = (action: string): Record<string, string> => Object.fromEntries(SUBTESTS.map((s) => [s, action]));

function run(extra: string[] = []): Promise<CliRun> {
  return runProfile('full', ['--focus', `^${TEST}`, ...extra]);
}

function runIdOf(r: CliRun): string {
  return (JSON.parse(readFileSync(path.join(r.dir, 'meta', 'run.json'), 'utf8')) as { run: { runId: string } }).run
    .runId;
}

describe('probe robust-controller (TestRobustCRDControllerOperation) on the test cluster', function () {
  this.timeout(15 * 60_000);
  before(requireCluster);

  describe('healthy cluster (Kubeflow Trainer detected)', () => {
    let r: CliRun;
    before(async () => {
      r = await run();
      console.log(`      ${TEST} wall time: ${String(elapsedSeconds(r, TEST))}s`);
    });

    it('exits 0 with every subtest passed', () => {
      expect(subtests(r, TEST), explain(r)).to.deep.equal(all('pass'));
      expect(r.code, explain(r)).to.equal(0);
    });

    it('says the operator is served from a URL, not pods, and what it checked instead', () => {
      const out = r.output(`${TEST}/OperatorPodsRunning`);
      expect(out).to.contain('operator=auto: detected Kubeflow Trainer v2 (CRD trainjobs.trainer.kubeflow.org)');
      expect(out).to.contain('pods in kubeflow-system with app.kubernetes.io/name=kubeflow-trainer: 0 found');
      expect(out).to.contain(
        'webhook validator.trainjob.trainer.kubeflow.org is served from URL https://127.0.0.1:9444/validate-trainer-kubeflow-org-v1alpha1-trainjob (clientConfig.url)',
      );
      expect(out).to.contain('Kubeflow Trainer v2 does not run as pods here');
      expect(out).to.match(
        /a server-side dry run of a valid TrainJob \(runtime torch-distributed\) passed admission through validator\.trainjob\.trainer\.kubeflow\.org failurePolicy Fail: so it answered and allowed it/,
      );
    });

    it('saw the CRDs Established and the webhook configuration complete', () => {
      expect(r.output(`${TEST}/CRDRegistered`)).to.contain(
        'CRD trainjobs.trainer.kubeflow.org: Established, NamesAccepted, serves v1alpha1',
      );
      expect(r.output(`${TEST}/WebhookOperational`)).to.match(
        /webhook validator\.trainjob\.trainer\.kubeflow\.org: CREATE\/UPDATE trainjobs, failurePolicy Fail, caBundle set/,
      );
    });

    it("had the invalid TrainJob denied by the Trainer's own webhook, not by schema validation", () => {
      expect(r.output(`${TEST}/WebhookRejectsInvalidCR`)).to.match(
        /the invalid TrainJob robust-controller-invalid \(runtimeRef ClusterTrainingRuntime does-not-exist-runtime, which does not exist\) was denied by the operator's admission webhook validator\.trainjob\.trainer\.kubeflow\.org: .*does-not-exist-runtime/,
      );
    });

    it('saw the TrainJob Complete through JobSet, Job and a Succeeded pod', () => {
      const out = r.output(`${TEST}/ControllerReconcilesCR`);
      expect(out).to.match(/TrainJob robust-controller-valid: .*Complete=True/);
      expect(out).to.match(
        /reconciled through its children: JobSet robust-controller-valid \(.*Completed=True.*\) → Job \S+ \(.*Complete=True.*\) → Pod \S+ \(Succeeded on \S+\)/,
      );
    });

    it('left no namespace or TrainJob of the run behind', async () => {
      const kube = testKube();
      const selector = `${managedSelector()},${RUN_LABEL}=${runIdOf(r)}`;
      const jobs = await kube.getJson<{ items: unknown[] }>('/apis/trainer.kubeflow.org/v1alpha1/trainjobs', {
        labelSelector: selector,
      });
      expect(jobs.items).to.have.length(0);
      const namespaces = await kube.core.listNamespace({ labelSelector: selector });
      expect(namespaces.items.map((n) => n.metadata?.name)).to.deep.equal([]);
    });
  });

  describe('variant operator-webhook-down', () => {
    let r: CliRun;
    inVariant('operator-webhook-down', async () => {
      r = await run(['--set', 'waitTimeout=20s']);
    });

    it('fails WebhookRejectsInvalidCR saying the webhook call errored (the CR was neither denied nor accepted)', () => {
      expect(subtests(r, TEST), explain(r)).to.deep.equal({
        OperatorPodsRunning: 'fail',
        CRDRegistered: 'pass',
        WebhookOperational: 'fail',
        WebhookRejectsInvalidCR: 'fail',
        ControllerReconcilesCR: 'fail',
      });
      expect(r.output(`${TEST}/WebhookRejectsInvalidCR`)).to.match(
        /the invalid TrainJob robust-controller-invalid .* was not denied by Kubeflow Trainer v2's webhook: the call to admission webhook \S+trainer\.kubeflow\.org errored \(the webhook did not answer, so nothing was judged\): .*connection refused/,
      );
      expect(r.output(`${TEST}/WebhookOperational`)).to.contain(
        'a server-side dry run of a valid TrainJob did not pass admission: the call to admission webhook',
      );
      expect(r.output(`${TEST}/ControllerReconcilesCR`)).to.contain(
        'creating the valid TrainJob robust-controller-valid failed: the call to admission webhook',
      );
      expect(r.code, explain(r)).to.equal(1);
    });
  });

  describe('variant jobset-stopped', () => {
    let r: CliRun;
    inVariant('jobset-stopped', async () => {
      r = await run(['--set', 'waitTimeout=20s']);
    });

    it('fails ControllerReconcilesCR with the last seen TrainJob status and the JobSet nothing runs', () => {
      expect(subtests(r, TEST), explain(r)).to.deep.equal({ ...all('pass'), ControllerReconcilesCR: 'fail' });
      const out = r.output(`${TEST}/ControllerReconcilesCR`);
      expect(out).to.match(/trainjob \S+\/robust-controller-valid to be Complete=True/);
      expect(out).to.match(/last seen: /);
      expect(out).to.contain(
        'its children: JobSet robust-controller-valid (no status conditions) → no Job owned by JobSet robust-controller-valid',
      );
      expect(r.code, explain(r)).to.equal(1);
    });
  });

  describe('operator=none', () => {
    let r: CliRun;
    before(async () => {
      r = await run(['--set', 'operator=none']);
    });

    it('skips every subtest naming the parameter, and exits 0', () => {
      expect(subtests(r, TEST), explain(r)).to.deep.equal(all('skip'));
      expect(r.output(`${TEST}/CRDRegistered`)).to.contain('operator=none: the profile declares no AI operator');
      expect(r.code, explain(r)).to.equal(0);
    });
  });
});
