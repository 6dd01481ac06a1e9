// waitFor / expectNever / events / termination messages against kwok pods on the test cluster.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  deleted,
  deploymentAvailable,
  podRunning,
  podsRunning,
  podSucceeded,
  podUnschedulable,
} from '../../../src/kube/conditions.js';
import { eventSeen, eventsTarget, listEvents } from '../../../src/kube/events.js';
import { MANAGED_BY_LABEL, RUN_LABEL } from '../../../src/kube/labels.js';
import type { Deployment, ObjectRef, Pod } from '../../../src/kube/objects.js';
import { readTerminationJson } from '../../../src/kube/termination.js';
import { expectNever, TerminalConditionError, waitFor, WaitTimeoutError } from '../../../src/kube/wait.js';
import { testKubeconfig } from '../cluster.js';
import { probeFixture } from './fixture.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('waiting on the test cluster', function () {
  this.timeout(120_000);
  const f = probeFixture('wait');
  const pod = (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Pod', namespace: f.namespace, name });

  describe('a pod that fits', () => {
    before(async () => {
      await f.apply('pod.yaml', { name: 'small', gpus: 1, restartPolicy: 'Always' });
    });

    it('applyObjects labels the pod and waitFor(podRunning) returns it Running', async () => {
      const running = await waitFor(f.kube, pod('small'), podRunning, { timeoutMs: 60_000 });
      expect(running.status?.phase).to.equal('Running');
      expect(running.spec?.nodeName).to.match(/^gpu-/);
      expect(running.metadata?.labels).to.include({ [MANAGED_BY_LABEL]: 'ai-conformance', [RUN_LABEL]: f.runId });
    });

    it('expectNever reports a condition that is met, at once', async () => {
      const seen = await expectNever(f.kube, pod('small'), podRunning, { durationMs: 30_000 });
      expect(seen.met).to.equal(true);
      expect(seen.elapsedMs).to.be.below(10_000);
      expect(seen.summary).to.match(/^saw pod aic-wait-[0-9a-f]{8}\/small to be Running after /);
    });

    it('ends with TerminalConditionError when the condition can no longer be met', async () => {
      try {
        await waitFor(f.kube, pod('small'), podUnschedulable, { timeoutMs: 30_000 });
        expect.fail('wait passed');
      } catch (err) {
        expect(err).to.be.instanceOf(TerminalConditionError);
        expect((err as Error).message).to.match(
          /^gave up waiting for pod aic-wait-\w+\/small to be reported Unschedulable after .*: pod was scheduled to node gpu-/,
        );
      }
    });

    it('waits for deletion', async () => {
      await f.kube.core.deleteNamespacedPod({ namespace: f.namespace, name: 'small', gracePeriodSeconds: 0 });
      await waitFor(f.kube, pod('small'), deleted, { timeoutMs: 60_000 });
      const left = await f.kube.core.listNamespacedPod({
        namespace: f.namespace,
        fieldSelector: 'metadata.name=small',
      });
      expect(left.items).to.deep.equal([]);
    });
  });

  describe('a pod asking for 1000 GPUs', () => {
    before(async () => {
      await f.apply('pod.yaml', { name: 'huge', gpus: 1000, restartPolicy: 'Always' });
    });

    it('is reported Unschedulable', async () => {
      const p = await waitFor(f.kube, pod('huge'), podUnschedulable, { timeoutMs: 60_000 });
      expect(p.status?.phase).to.equal('Pending');
    });

    it('times out with what was awaited and what was last seen, after heartbeats', async () => {
      const lines: string[] = [];
      const started = Date.now();
      try {
        await waitFor(f.kube, pod('huge'), podRunning, {
          timeoutMs: 2500,
          heartbeatMs: 1000,
          log: (l) => lines.push(l),
        });
        expect.fail('wait passed');
      } catch (err) {
        expect(err).to.be.instanceOf(WaitTimeoutError);
        expect((err as Error).message).to.match(
          /^timed out after 2\.\ds waiting for pod aic-wait-[0-9a-f]{8}\/huge to be Running; last seen: phase=Pending, PodScheduled=False \(Unschedulable: 0\/\d+ nodes are available: .*Insufficient nvidia\.com\/gpu/,
        );
      }
      expect(Date.now() - started).to.be.below(6000);
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(/^still waiting: pod aic-wait-\w+\/huge to be Running \(1(\.\d)?s\)$/);
    });

    it('has a FailedScheduling event that says Insufficient', async () => {
      const ref = pod('huge');
      const event = await waitFor(
        f.kube,
        eventsTarget(ref),
        eventSeen({ reason: 'FailedScheduling', messageIncludes: 'Insufficient' }),
        {
          timeoutMs: 60_000,
        },
      );
      expect(event.message).to.contain('Insufficient nvidia.com/gpu');
      const listed = await listEvents(f.kube, ref, { reason: 'FailedScheduling' });
      expect(listed.length).to.be.at.least(1);
      expect(await listEvents(f.kube, ref, { reason: 'Scheduled' })).to.deep.equal([]);
    });

    it('expectNever sees no Running pod in the window and says what it saw', async () => {
      const target = { apiVersion: 'v1', kind: 'Pod', namespace: f.namespace, labelSelector: 'test-pod=huge' };
      const seen = await expectNever<Pod>(f.kube, target, podsRunning(1), { durationMs: 2000 });
      expect(seen.met).to.equal(false);
      expect(seen.elapsedMs).to.be.at.least(2000);
      expect(seen.summary).to.match(
        /^for 2(\.\d)?s, never saw pods in aic-wait-\w+ with test-pod=huge to have 1 Running pod; last seen: 1 pod: 1 Pending; aic-wait-\w+\/huge: PodScheduled=False \(Unschedulable: /,
      );
    });
  });

  describe('a pod that runs to completion', () => {
    it('reads the JSON line a finished pod left in its termination message', async () => {
      await f.apply('pod.yaml', { name: 'report', gpus: 2, restartPolicy: 'Never' });
      const done = await waitFor(f.kube, pod('report'), podSucceeded, { timeoutMs: 60_000 });
      const report = readTerminationJson(done, 'main') as { devices?: unknown[]; ids?: unknown[] };
      expect(report.devices).to.have.length(2);
      expect(report.ids).to.have.length(2);
    });
  });

  describe('a Deployment', () => {
    it('waits on a list: a Deployment labelled down to its pods', async () => {
      await f.apply('deployment.yaml', { name: 'web', replicas: 2 });
      const target = {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: f.namespace,
        labelSelector: `app=web,${RUN_LABEL}=${f.runId}`,
      };
      const pods = await waitFor<Pod>(f.kube, target, podsRunning(2), { timeoutMs: 60_000 });
      expect(pods).to.have.length(2);
      const d = await waitFor<Deployment>(
        f.kube,
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: f.namespace, name: 'web' },
        deploymentAvailable(2),
        {
          timeoutMs: 60_000,
        },
      );
      expect(d.status?.availableReplicas).to.equal(2);
    });
  });

  describe('process exit', () => {
    it('aborts its watch: a process that waited exits by itself', async () => {
      const script = path.join(here, 'wait-then-exit.script.ts');
      const child = spawn(process.execPath, ['--import', 'tsx', script, testKubeconfig(), f.namespace], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`child still running 30s after start; a watch or socket was left open. Output:\n${out}`));
        }, 30_000);
        child.on('exit', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      expect(code, out).to.equal(0);
      expect(out).to.contain('running: ok');
      expect(out).to.contain('timeout: WaitTimeoutError');
    });
  });
});
