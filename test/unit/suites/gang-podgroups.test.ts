// The gang backends the test cluster lacks (Volcano, scheduler-plugins coscheduling, the Workload
// API): their manifests and verdict conditions, checked here since CI cannot exercise them.
import { expect } from 'chai';
import type { KubeObject, Pod } from '../../../src/kube/objects.js';
import { anyPodPlaced, type GangPodSettings, type GangSpec } from '../../../suites/scheduling/gang/backend.js';
import { coschedulingBackend } from '../../../suites/scheduling/gang/coscheduling.js';
import { volcanoBackend } from '../../../suites/scheduling/gang/volcano.js';
import { workloadApiBackend } from '../../../suites/scheduling/gang/workload-api.js';

const SETTINGS: GangPodSettings = {
  namespace: 'aic-gang-scheduling-0123abcd',
  resource: 'amd.com/gpu',
  taintKey: 'amd.com/gpu',
  image: 'registry.example/busybox:1.36',
  durationSeconds: 300,
};
const GANG: GangSpec = { name: 'gang-positive', pods: 3, perPod: 2 };

function split(objects: KubeObject[]): { group: KubeObject; pods: Pod[] } {
  const [group, ...pods] = objects;
  if (group === undefined) throw new Error('no objects');
  return { group, pods };
}

/** What every backend's pods share: names, gang label, accelerators, toleration, duration. */
function expectGangPods(pods: Pod[]): void {
  expect(pods.map((p) => p.metadata?.name)).to.deep.equal(['gang-positive-0', 'gang-positive-1', 'gang-positive-2']);
  for (const pod of pods) {
    expect(pod.kind).to.equal('Pod');
    expect(pod.metadata?.labels?.['ai-conformance.io/gang']).to.equal('gang-positive');
    expect(pod.metadata?.annotations?.['ai-conformance.io/duration']).to.equal('300s');
    expect(pod.spec?.restartPolicy).to.equal('Never');
    expect(pod.spec?.tolerations).to.deep.equal([{ key: 'amd.com/gpu', operator: 'Exists' }]);
    expect(pod.spec?.containers[0]?.image).to.equal('registry.example/busybox:1.36');
    expect(pod.spec?.containers[0]?.resources?.limits).to.deep.equal({ 'amd.com/gpu': '2' });
  }
}

function pod(name: string, extra: Partial<Pod> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: SETTINGS.namespace },
    status: { phase: 'Pending' },
    ...extra,
  };
}

describe('gang backends not exercised in CI', () => {
  describe('Volcano', () => {
    const backend = volcanoBackend(SETTINGS, '');

    it('a PodGroup (all pods, their accelerators, queue default) and pods that name it and the volcano scheduler', () => {
      const { group, pods } = split(backend.gangObjects(GANG));
      expect(group).to.deep.include({ apiVersion: 'scheduling.volcano.sh/v1beta1', kind: 'PodGroup' });
      expect(group.metadata?.name).to.equal('gang-positive');
      expect(group['spec']).to.deep.equal({ minMember: 3, minResources: { 'amd.com/gpu': '6' }, queue: 'default' });
      expectGangPods(pods);
      for (const p of pods) {
        expect(p.spec?.schedulerName).to.equal('volcano');
        expect(p.metadata?.annotations?.['scheduling.k8s.io/group-name']).to.equal('gang-positive');
      }
      expect(backend.setupObjects).to.deep.equal([]);
      expect(backend.quota).to.equal(undefined);
    });

    it('honours gangSchedulerName', () => {
      const { pods } = split(volcanoBackend(SETTINGS, 'volcano-gpu').gangObjects(GANG));
      expect(pods[0]?.spec?.schedulerName).to.equal('volcano-gpu');
    });

    it('reads the verdict from the PodGroup phase and conditions', () => {
      const status = backend.status(GANG);
      expect(status.target).to.deep.equal({
        apiVersion: 'scheduling.volcano.sh/v1beta1',
        kind: 'PodGroup',
        namespace: SETTINGS.namespace,
        labelSelector: 'ai-conformance.io/gang=gang-positive',
      });
      const pg = (status: object): KubeObject => ({
        metadata: { name: 'gang-positive', namespace: SETTINGS.namespace },
        status,
      });
      expect(status.seen.test([pg({})])).to.equal(false);
      const pending = pg({
        phase: 'Pending',
        conditions: [
          {
            type: 'Unschedulable',
            status: 'True',
            reason: 'NotEnoughResources',
            message: '3/3 tasks in gang unschedulable',
          },
        ],
      });
      expect(status.seen.test([pending])).to.have.property('done', true);
      expect(status.admitted.test([pending])).to.equal(false);
      expect((status.held.test([pending]) as { value: string }).value).to.include(
        'Unschedulable=True (NotEnoughResources: 3/3 tasks in gang unschedulable)',
      );
      expect(status.admitted.test([pg({ phase: 'Running' })])).to.have.property('done', true);
    });
  });

  describe('scheduler-plugins coscheduling', () => {
    const backend = coschedulingBackend(SETTINGS, '');

    it('a PodGroup (minMember, minResources) and pods with the pod-group label and the plugin scheduler', () => {
      const { group, pods } = split(backend.gangObjects(GANG));
      expect(group).to.deep.include({ apiVersion: 'scheduling.x-k8s.io/v1alpha1', kind: 'PodGroup' });
      expect(group['spec']).to.deep.equal({
        minMember: 3,
        minResources: { 'amd.com/gpu': '6' },
        scheduleTimeoutSeconds: 30,
      });
      expectGangPods(pods);
      for (const p of pods) {
        expect(p.spec?.schedulerName).to.equal('scheduler-plugins-scheduler');
        expect(p.metadata?.labels?.['scheduling.x-k8s.io/pod-group']).to.equal('gang-positive');
      }
    });

    it('honours gangSchedulerName (plugins run in the default scheduler)', () => {
      const { pods } = split(coschedulingBackend(SETTINGS, 'default-scheduler').gangObjects(GANG));
      expect(pods[0]?.spec?.schedulerName).to.equal('default-scheduler');
    });

    it('reads the verdict from the pods: tried, held (Unschedulable), admitted (all bound)', () => {
      const status = backend.status(GANG);
      expect(status.target).to.deep.equal({
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: SETTINGS.namespace,
        labelSelector: 'ai-conformance.io/gang=gang-positive',
      });
      const untried = [pod('gang-positive-0'), pod('gang-positive-1'), pod('gang-positive-2')];
      expect(status.seen.test(untried)).to.equal(false);
      const unschedulable: Partial<Pod> = {
        status: {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: 'rejected due to timeout after waiting 30s at permit',
            },
          ],
        },
      };
      const tried = [pod('gang-positive-0', unschedulable), ...untried.slice(1)];
      expect(status.seen.test(tried)).to.have.property('done', true);
      expect((status.held.test(tried) as { value: string }).value).to.include('rejected due to timeout');
      const bound = (name: string) => pod(name, { spec: { nodeName: 'gpu-0', containers: [] } });
      expect(status.admitted.test([bound('gang-positive-0'), bound('gang-positive-1'), untried[2] as Pod])).to.equal(
        false,
      );
      expect(
        status.admitted.test([bound('gang-positive-0'), bound('gang-positive-1'), bound('gang-positive-2')]),
      ).to.have.property('done', true);
      expect(anyPodPlaced.test([bound('gang-positive-0'), ...untried.slice(1)])).to.equal(true);
      expect(anyPodPlaced.test(tried)).to.equal(false);
    });
  });

  describe('Kubernetes Workload API', () => {
    const backend = workloadApiBackend(SETTINGS, 'scheduling.k8s.io/v1alpha2', '');

    it('a standalone PodGroup with a gang policy, and pods joining it through spec.schedulingGroup', () => {
      const { group, pods } = split(backend.gangObjects(GANG));
      expect(group).to.deep.include({ apiVersion: 'scheduling.k8s.io/v1alpha2', kind: 'PodGroup' });
      expect(group['spec']).to.deep.equal({ schedulingPolicy: { gang: { minCount: 3 } } });
      expectGangPods(pods);
      for (const p of pods) {
        expect((p.spec as Record<string, unknown>)['schedulingGroup']).to.deep.equal({ podGroupName: 'gang-positive' });
        expect(p.spec?.schedulerName).to.equal(undefined);
      }
      expect(backend.title).to.equal('Kubernetes Workload API (scheduling.k8s.io/v1alpha2 PodGroup, gang policy)');
    });

    it('uses the served version', () => {
      const { group } = split(workloadApiBackend(SETTINGS, 'scheduling.k8s.io/v1beta1', '').gangObjects(GANG));
      expect(group.apiVersion).to.equal('scheduling.k8s.io/v1beta1');
    });
  });
});
