import { expect } from 'chai';
import type { Job, KubeObject } from '../../../src/kube/objects.js';
import type { GangPodSettings } from '../../../suites/scheduling/gang/backend.js';
import {
  clusterQueueQuota,
  clusterQueueReserved,
  kueueBackend,
  LOCAL_QUEUE,
} from '../../../suites/scheduling/gang/kueue.js';

const SETTINGS: GangPodSettings = {
  namespace: 'aic-gang-scheduling-0123abcd',
  resource: 'nvidia.com/gpu',
  taintKey: 'nvidia.com/gpu',
  image: 'busybox:1.36',
  durationSeconds: 560,
};
const OPTIONS = {
  apiVersion: 'kueue.x-k8s.io/v1beta1',
  settings: SETTINGS,
  clusterQueue: '',
  capacity: 24,
  cpu: 640,
  memoryBytes: 6 * 2 ** 40,
};

function clusterQueue(resources: object[], extra: object = {}): KubeObject {
  return {
    apiVersion: 'kueue.x-k8s.io/v1beta1',
    kind: 'ClusterQueue',
    metadata: { name: 'team-a' },
    spec: {
      ...extra,
      resourceGroups: [{ coveredResources: ['nvidia.com/gpu'], flavors: [{ name: 'h100', resources }] }],
    },
  };
}

function workload(owner: string, conditions: object[], admission?: object): KubeObject {
  return {
    apiVersion: 'kueue.x-k8s.io/v1beta1',
    kind: 'Workload',
    metadata: {
      name: `job-${owner}-1a2b3`,
      namespace: SETTINGS.namespace,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: owner, uid: 'u1' }],
    },
    status: { conditions, ...(admission === undefined ? {} : { admission }) },
  };
}

describe('suites/scheduling/gang/kueue', () => {
  describe('own ClusterQueue (gangClusterQueue empty)', () => {
    const backend = kueueBackend(OPTIONS);

    it('creates a ResourceFlavor, a ClusterQueue sized from the cluster and a LocalQueue, named after the namespace', () => {
      expect(backend.setupObjects.map((o) => `${o.kind ?? ''}/${o.metadata?.name ?? ''}`)).to.deep.equal([
        `ResourceFlavor/${SETTINGS.namespace}`,
        `ClusterQueue/${SETTINGS.namespace}`,
        `LocalQueue/${LOCAL_QUEUE}`,
      ]);
      for (const o of backend.setupObjects) expect(o.apiVersion).to.equal('kueue.x-k8s.io/v1beta1');
      const cq = backend.setupObjects[1] as KubeObject & { spec: Record<string, unknown> };
      expect(cq.spec).to.deep.equal({
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': SETTINGS.namespace } },
        queueingStrategy: 'BestEffortFIFO',
        resourceGroups: [
          {
            coveredResources: ['cpu', 'memory', 'nvidia.com/gpu'],
            flavors: [
              {
                name: SETTINGS.namespace,
                resources: [
                  { name: 'cpu', nominalQuota: '640' },
                  { name: 'memory', nominalQuota: String(6 * 2 ** 40) },
                  { name: 'nvidia.com/gpu', nominalQuota: '24' },
                ],
              },
            ],
          },
        ],
      });
      expect((backend.setupObjects[2] as { spec: unknown }).spec).to.deep.equal({ clusterQueue: SETTINGS.namespace });
      expect(clusterQueueQuota(cq, 'nvidia.com/gpu')).to.equal(24);
    });

    it('has the capacity as quota, waits for the ClusterQueue to be Active, and reads its reservation', () => {
      expect(backend.quota).to.equal(24);
      expect(backend.ready?.target).to.deep.equal({
        apiVersion: 'kueue.x-k8s.io/v1beta1',
        kind: 'ClusterQueue',
        name: SETTINGS.namespace,
      });
      const active = { status: { conditions: [{ type: 'Active', status: 'True', reason: 'Ready' }] } };
      expect(backend.ready?.condition.test(active)).to.deep.equal({ done: true, value: active });
      expect(backend.ready?.condition.test({ status: {} })).to.equal(false);
      expect(backend.ready?.hint).to.include('is the Kueue controller (v1beta1) running?');
      expect(backend.usage?.what).to.equal(`ClusterQueue ${SETTINGS.namespace}`);
    });

    it('a gang is one suspended Job in the LocalQueue, each pod asking for its accelerators', () => {
      const [job, ...rest] = backend.gangObjects({ name: 'gang-positive', pods: 4, perPod: 1 }) as Job[];
      expect(rest).to.have.length(0);
      expect(job?.kind).to.equal('Job');
      expect(job?.metadata?.name).to.equal('gang-positive');
      expect(job?.metadata?.labels).to.deep.equal({
        'kueue.x-k8s.io/queue-name': LOCAL_QUEUE,
        'ai-conformance.io/gang': 'gang-positive',
      });
      expect(job?.spec).to.include({ suspend: true, parallelism: 4, completions: 4, backoffLimit: 0 });
      const template = job?.spec?.template;
      expect(template?.metadata?.labels).to.deep.equal({ 'ai-conformance.io/gang': 'gang-positive' });
      expect(template?.metadata?.annotations).to.deep.equal({ 'ai-conformance.io/duration': '560s' });
      const spec = template?.spec;
      expect(spec?.restartPolicy).to.equal('Never');
      expect(spec?.tolerations).to.deep.equal([{ key: 'nvidia.com/gpu', operator: 'Exists' }]);
      expect(spec?.containers[0]?.image).to.equal('busybox:1.36');
      expect(spec?.containers[0]?.command).to.deep.equal(['sh', '-c', 'sleep 560']);
      expect(spec?.containers[0]?.resources).to.deep.equal({ limits: { 'nvidia.com/gpu': '1' } });
    });

    it('the oversized gang asks for its per-pod share on every pod', () => {
      const [job] = backend.gangObjects({ name: 'gang-oversized', pods: 4, perPod: 8 }) as Job[];
      expect(job?.spec?.parallelism).to.equal(4);
      expect(job?.spec?.template.spec?.containers[0]?.resources?.limits).to.deep.equal({ 'nvidia.com/gpu': '8' });
    });

    it('reads the verdict from the Workload the Job owns', () => {
      const status = backend.status({ name: 'gang-positive', pods: 4, perPod: 1 });
      expect(status.target).to.deep.equal({
        apiVersion: 'kueue.x-k8s.io/v1beta1',
        kind: 'Workload',
        namespace: SETTINGS.namespace,
      });
      const other = workload('something-else', [{ type: 'Admitted', status: 'True' }]);
      expect(status.seen.test([other])).to.equal(false);
      expect(status.seen.describe([other])).to.match(/^no Workload owned by Job gang-positive/);
      const pending = workload('gang-positive', [
        {
          type: 'QuotaReserved',
          status: 'False',
          reason: 'Pending',
          message: "couldn't assign flavors to pod set main: insufficient quota for nvidia.com/gpu",
        },
      ]);
      expect(status.seen.test([other, pending])).to.have.property('done', true);
      expect(status.admitted.test([pending])).to.equal(false);
      const held = status.held.test([pending]) as { value: string };
      expect(held.value).to.include('QuotaReserved=False (Pending: couldn');
      const admitted = workload(
        'gang-positive',
        [
          { type: 'QuotaReserved', status: 'True' },
          { type: 'Admitted', status: 'True', reason: 'Admitted' },
        ],
        { clusterQueue: SETTINGS.namespace, podSetAssignments: [{ name: 'main', count: 4 }] },
      );
      const verdict = status.admitted.test([admitted]) as { value: string };
      expect(verdict.value).to.include('Admitted=True');
      expect(verdict.value).to.include('pod sets admitted: main=4');
      expect(status.held.test([admitted])).to.equal(false);
    });
  });

  describe('existing ClusterQueue (gangClusterQueue set)', () => {
    const existing = clusterQueue([{ name: 'nvidia.com/gpu', nominalQuota: '16' }]);
    const backend = kueueBackend({ ...OPTIONS, clusterQueue: 'team-a' }, existing);

    it('creates only a LocalQueue pointing at it and takes its quota', () => {
      expect(backend.setupObjects).to.have.length(1);
      expect(backend.setupObjects[0]).to.deep.include({ kind: 'LocalQueue', spec: { clusterQueue: 'team-a' } });
      expect(backend.quota).to.equal(16);
      expect(backend.usage?.target).to.deep.equal({
        apiVersion: 'kueue.x-k8s.io/v1beta1',
        kind: 'ClusterQueue',
        name: 'team-a',
      });
      expect(backend.title).to.equal(
        'Kueue (kueue.x-k8s.io/v1beta1), existing ClusterQueue team-a (16 nvidia.com/gpu), LocalQueue gang',
      );
    });
  });

  describe('quota math', () => {
    it('adds nominal quotas over flavors, and borrowing limits in a cohort', () => {
      const two = {
        spec: {
          cohort: 'all',
          resourceGroups: [
            { flavors: [{ name: 'a', resources: [{ name: 'nvidia.com/gpu', nominalQuota: 8, borrowingLimit: '4' }] }] },
            {
              flavors: [
                {
                  name: 'b',
                  resources: [
                    { name: 'nvidia.com/gpu', nominalQuota: '8', borrowingLimit: 0 },
                    { name: 'cpu', nominalQuota: '100' },
                  ],
                },
              ],
            },
          ],
        },
      };
      expect(clusterQueueQuota(two, 'nvidia.com/gpu')).to.equal(20);
    });

    it('is unbounded when a cohort member may borrow without limit', () => {
      expect(
        clusterQueueQuota(
          clusterQueue([{ name: 'nvidia.com/gpu', nominalQuota: '8' }], { cohort: 'all' }),
          'nvidia.com/gpu',
        ),
      ).to.equal(undefined);
      expect(
        clusterQueueQuota(clusterQueue([{ name: 'nvidia.com/gpu', nominalQuota: '8' }]), 'nvidia.com/gpu'),
      ).to.equal(8);
    });

    it('is 0 when the queue does not cover the accelerator', () => {
      expect(clusterQueueQuota(clusterQueue([{ name: 'cpu', nominalQuota: '8' }]), 'nvidia.com/gpu')).to.equal(0);
    });

    it('reads the reservation (flavorsReservation, else flavorsUsage)', () => {
      const status = (key: string) => ({
        status: {
          [key]: [
            {
              name: 'a',
              resources: [
                { name: 'nvidia.com/gpu', total: '4' },
                { name: 'cpu', total: '100m' },
              ],
            },
            { name: 'b', resources: [{ name: 'nvidia.com/gpu', total: '8' }] },
          ],
        },
      });
      expect(clusterQueueReserved(status('flavorsReservation'), 'nvidia.com/gpu')).to.equal(12);
      expect(clusterQueueReserved(status('flavorsUsage'), 'nvidia.com/gpu')).to.equal(12);
      expect(clusterQueueReserved({ status: {} }, 'nvidia.com/gpu')).to.equal(0);
      expect(clusterQueueReserved(undefined, 'nvidia.com/gpu')).to.equal(0);
    });
  });
});
