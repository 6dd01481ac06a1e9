import { expect } from 'chai';
import {
  claimAllocated,
  deleted,
  deploymentAvailable,
  describeObject,
  describePod,
  hpaDesiredReplicas,
  jobComplete,
  matches,
  podRunning,
  podScheduled,
  podsRunning,
  podSucceeded,
  podUnschedulable,
} from '../../../src/kube/conditions.js';
import type {
  Deployment,
  HorizontalPodAutoscaler,
  Job,
  KubeObject,
  Pod,
  ResourceClaim,
} from '../../../src/kube/objects.js';
import { TerminalConditionError } from '../../../src/kube/wait.js';

const UNSCHEDULABLE = '0/6 nodes are available: 4 Insufficient nvidia.com/gpu, 2 node(s) had untolerated taint.';

function pod(phase: string, extra: Partial<Pod> = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', namespace: 'aic-x' }, status: { phase }, ...extra };
}

const pending: Pod = pod('Pending', {
  status: {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: UNSCHEDULABLE }],
  },
});

describe('kube/conditions', () => {
  describe('pods', () => {
    it('podRunning is met by a Running pod and returns it', () => {
      const running = pod('Running', { spec: { nodeName: 'gpu-0', containers: [] } });
      expect(podRunning.test(running)).to.deep.equal({ done: true, value: running });
      expect(podRunning.test(pending)).to.equal(false);
      expect(podRunning.test(undefined)).to.equal(false, 'a pod not created yet may still come');
      expect(podRunning.description).to.equal('to be Running');
    });

    it('podRunning gives up on a finished pod', () => {
      expect(() => podRunning.test(pod('Failed'))).to.throw(TerminalConditionError, 'pod finished: phase=Failed');
      expect(() => podRunning.test(pod('Succeeded'))).to.throw(TerminalConditionError);
    });

    it('describes a pending pod the way the timeout message needs', () => {
      expect(describePod(pending)).to.equal(`phase=Pending, PodScheduled=False (Unschedulable: ${UNSCHEDULABLE})`);
      expect(podRunning.describe(undefined)).to.equal('not found');
    });

    it('describes container states and deletion', () => {
      const p = pod('Pending', {
        metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['x/y'] },
        spec: { nodeName: 'n1', containers: [] },
        status: {
          phase: 'Pending',
          containerStatuses: [
            {
              name: 'c',
              image: 'i',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { waiting: { reason: 'ImagePullBackOff', message: 'no such image' } },
            },
          ],
        },
      });
      expect(describePod(p)).to.equal(
        'phase=Pending, node=n1, container c waiting (ImagePullBackOff: no such image), deleting since 2026-01-01T00:00:00Z (finalizers: x/y)',
      );
    });

    it('podSucceeded gives up on a Failed pod only', () => {
      expect(podSucceeded.test(pod('Succeeded'))).to.have.property('done', true);
      expect(podSucceeded.test(pod('Running'))).to.equal(false);
      expect(() => podSucceeded.test(pod('Failed'))).to.throw(TerminalConditionError, 'pod failed');
    });

    it('podScheduled and podUnschedulable read PodScheduled', () => {
      const scheduled = pod('Pending', { spec: { nodeName: 'gpu-1', containers: [] } });
      expect(podScheduled.test(scheduled)).to.have.property('done', true);
      expect(podScheduled.test(pending)).to.equal(false);
      expect(podUnschedulable.test(pending)).to.have.property('done', true);
      expect(podUnschedulable.test(pod('Pending'))).to.equal(false);
      expect(() => podUnschedulable.test(scheduled)).to.throw(
        TerminalConditionError,
        'pod was scheduled to node gpu-1',
      );
    });

    it('podsRunning(n) counts Running pods in a list and summarizes by phase', () => {
      const list = [pod('Running'), pending, pod('Running')];
      expect(podsRunning(2).test(list)).to.equal(true);
      expect(podsRunning(3).test(list)).to.equal(false);
      expect(podsRunning(3).description).to.equal('to have 3 Running pods');
      expect(podsRunning(3).describe(list)).to.equal(
        `3 pods: 2 Running, 1 Pending; aic-x/p1: PodScheduled=False (Unschedulable: ${UNSCHEDULABLE})`,
      );
      expect(podsRunning(1).describe([])).to.equal('no pods');
    });
  });

  describe('workloads', () => {
    const job = (
      conditions: { type: string; status: string; reason?: string; message?: string }[],
      suspend = false,
    ): Job => ({
      metadata: { name: 'j' },
      spec: { suspend, template: {} },
      status: { active: 1, conditions: conditions.map((c) => ({ ...c })) },
    });

    it('jobComplete: Complete=True meets it, Failed=True ends it', () => {
      expect(jobComplete.test(job([{ type: 'Complete', status: 'True' }]))).to.have.property('done', true);
      expect(jobComplete.test(job([]))).to.equal(false);
      expect(() =>
        jobComplete.test(job([{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }])),
      ).to.throw(TerminalConditionError, 'job failed: Failed=True (BackoffLimitExceeded)');
      expect(jobComplete.describe(job([], true))).to.equal('active=1, succeeded=0, failed=0, suspended');
    });

    it('deploymentAvailable(n) compares availableReplicas and stops at the progress deadline', () => {
      const d = (available: number, progressing?: { status: string; reason: string }): Deployment => ({
        metadata: { name: 'd' },
        status: {
          availableReplicas: available,
          replicas: 2,
          conditions: progressing ? [{ type: 'Progressing', ...progressing }] : [],
        },
      });
      expect(deploymentAvailable(2).test(d(2))).to.have.property('done', true);
      expect(deploymentAvailable(2).test(d(1))).to.equal(false);
      expect(() => deploymentAvailable(2).test(d(1, { status: 'False', reason: 'ProgressDeadlineExceeded' }))).to.throw(
        TerminalConditionError,
        'rollout stalled',
      );
      expect(deploymentAvailable(2).describe(d(1))).to.equal('replicas=2, available=1, ready=0');
    });

    it('claimAllocated looks at status.allocation', () => {
      const claim: ResourceClaim = { metadata: { name: 'c' }, spec: { devices: {} } };
      expect(claimAllocated.test(claim)).to.equal(false);
      expect(claimAllocated.describe(claim)).to.equal('not allocated, reservedFor=0');
      const allocated: ResourceClaim = { ...claim, status: { allocation: { devices: { results: [] } } } };
      expect(claimAllocated.test(allocated)).to.have.property('done', true);
    });

    it('hpaDesiredReplicas applies the predicate and words it', () => {
      const hpa = (desired: number): HorizontalPodAutoscaler => ({
        metadata: { name: 'h' },
        spec: { maxReplicas: 5, scaleTargetRef: { kind: 'Deployment', name: 'd' } },
        status: {
          desiredReplicas: desired,
          currentReplicas: 1,
          conditions: [
            { type: 'ScalingActive', status: 'False', reason: 'FailedGetObjectMetric', message: 'no metrics' },
          ],
        },
      });
      const c = hpaDesiredReplicas((n) => n >= 3, '>= 3');
      expect(c.description).to.equal('to want >= 3 replicas');
      expect(c.test(hpa(3))).to.have.property('done', true);
      expect(c.test(hpa(1))).to.equal(false);
      expect(c.describe(hpa(1))).to.equal(
        'desired=1, current=1, ScalingActive=False (FailedGetObjectMetric: no metrics)',
      );
    });
  });

  describe('generic', () => {
    it('deleted is met when the object is gone, and says what holds it', () => {
      const ns: KubeObject = {
        metadata: { name: 'aic-x', deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['kubernetes'] },
      };
      expect(deleted.test(undefined)).to.equal(true);
      expect(deleted.test(ns)).to.equal(false);
      expect(deleted.describe(ns)).to.equal(
        'still present, deleting since 2026-01-01T00:00:00Z (finalizers: kubernetes)',
      );
      expect(deleted.describe({ metadata: { name: 'x' } })).to.equal('still present (not being deleted)');
    });

    it('matches wraps any predicate with a generic description of the state', () => {
      const c = matches<KubeObject | undefined>('to have label x', (o) => o?.metadata?.labels?.x === 'y');
      expect(c.test({ metadata: { labels: { x: 'y' } } })).to.equal(true);
      expect(c.describe({ status: { phase: 'Active', conditions: [{ type: 'Ready', status: 'True' }] } })).to.equal(
        'phase=Active, Ready=True',
      );
      expect(c.describe(undefined)).to.equal('not found');
      const list = matches<KubeObject[]>('to be empty', (l) => l.length === 0);
      expect(list.describe([{ metadata: { name: 'a', namespace: 'n' } }])).to.equal('1 object: n/a: no status yet');
      expect(describeObject({})).to.equal('no status yet');
    });
  });
});
