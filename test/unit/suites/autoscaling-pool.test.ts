// The pool decisions of TestAcceleratorClusterAutoscaling (suites/scheduling/autoscaling/pool.ts),
// and its manifests: the pool label parses like upstream's parseNodePoolLabel, membership counts
// Ready and schedulable nodes by name and uid, the pods tolerate what every pool node carries, and
// the idle check finds what could take the pool's capacity.
import { expect } from 'chai';
import { loadManifests } from '../../../src/kube/manifest.js';
import type { Node, Pod } from '../../../src/kube/objects.js';
import { manifestFile } from '../../../src/paths.js';
import {
  capacityProblem,
  choosePoolMode,
  describePool,
  foreignWorkloads,
  members,
  parsePoolLabel,
  poolNode,
  poolTolerations,
  sameMembers,
  type PoolLabel,
  type PoolOffer,
} from '../../../suites/scheduling/autoscaling/pool.js';

const TAINT = { key: 'pool', value: 'gpu', effect: 'NoSchedule' };

function node(
  name: string,
  opts: { uid?: string; ready?: boolean; cordoned?: boolean; gpus?: string; taints?: object[] } = {},
): Node {
  return {
    metadata: { name, uid: opts.uid ?? `uid-${name}` },
    spec: { unschedulable: opts.cordoned === true, taints: (opts.taints ?? [TAINT]) as never },
    status: {
      allocatable: opts.gpus === undefined ? { cpu: '8' } : { cpu: '8', 'nvidia.com/gpu': opts.gpus },
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] as never,
    },
  };
}

const pool = (...nodes: Node[]) => nodes.map((n) => poolNode(n, 'nvidia.com/gpu'));
const label = parsePoolLabel('test-role=autoscaling') as PoolLabel;

function pod(name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}): Pod {
  return {
    metadata: { name, namespace: 'other', ...meta },
    spec: { containers: [], ...spec },
    status: { phase: 'Running' },
  };
}

describe('cluster autoscaling: the pool', () => {
  it('parses key=value like upstream, refusing what is not one valid label', () => {
    expect(parsePoolLabel('cloud.google.com/gke-nodepool=gpu-pool')).to.deep.equal({
      key: 'cloud.google.com/gke-nodepool',
      value: 'gpu-pool',
      selector: 'cloud.google.com/gke-nodepool=gpu-pool',
    });
    expect(parsePoolLabel('a=b=c')).to.match(/exactly one key=value/);
    expect(parsePoolLabel('novalue')).to.match(/exactly one key=value/);
    expect(parsePoolLabel('=x')).to.match(/non-empty/);
    expect(parsePoolLabel('Bad_Prefix!/x=y')).to.match(/invalid label key/);
    expect(parsePoolLabel('k=-starts-with-dash')).to.match(/invalid label value/);
  });

  it('counts Ready, schedulable nodes and compares members by name and uid', () => {
    const nodes = pool(node('b'), node('a'), node('c', { ready: false }), node('d', { cordoned: true }));
    expect(members(nodes).map((n) => n.name)).to.deep.equal(['a', 'b']);
    expect(describePool(nodes)).to.equal('2 Ready and schedulable: a, b; not counted: c (NotReady), d (cordoned)');
    expect(sameMembers(members(nodes), pool(node('a'), node('b')))).to.equal(true);
    expect(sameMembers(pool(node('a')), pool(node('a', { uid: 'recreated' })))).to.equal(false);
    expect(sameMembers(pool(node('a')), pool(node('a'), node('b')))).to.equal(false);
  });

  it('asks device-plugin pools for exactly one accelerator per node', () => {
    expect(capacityProblem(pool(node('a', { gpus: '1' })), 'nvidia.com/gpu')).to.equal(undefined);
    expect(
      capacityProblem(pool(node('a', { gpus: '1' }), node('b', { gpus: '4' }), node('c')), 'nvidia.com/gpu'),
    ).to.equal(
      'pool nodes must each advertise exactly one allocatable nvidia.com/gpu (one pod fills a node): b=4, c=0',
    );
  });

  it('tolerates the accelerator taint and the hard taints every pool node carries, never lifecycle taints', () => {
    const lifecycle = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
    const soft = { key: 'soft', effect: 'PreferNoSchedule' };
    const onlyA = { key: 'only-a', effect: 'NoSchedule' };
    const nodes = pool(
      node('a', { taints: [TAINT, lifecycle, soft, onlyA] }),
      node('b', { taints: [TAINT, lifecycle] }),
    );
    expect(poolTolerations(nodes, 'nvidia.com/gpu')).to.deep.equal([
      { key: 'nvidia.com/gpu', operator: 'Exists' },
      { key: 'pool', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
    ]);
    expect(
      poolTolerations(pool(node('a', { taints: [{ key: 'dedicated', effect: 'NoSchedule' }] })), 'amd.com/gpu'),
    ).to.deep.equal([
      { key: 'amd.com/gpu', operator: 'Exists' },
      { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  it('finds workloads that occupy or could take the pool, ignoring its own namespace, DaemonSets and pods that cannot land', () => {
    const nodes = pool(node('a'));
    const gpu = { containers: [{ name: 'c', resources: { limits: { 'nvidia.com/gpu': '1' } } }] };
    const tolerating = { ...gpu, tolerations: [{ key: 'pool', operator: 'Exists' }] };
    const pods = [
      pod('on-pool', { nodeName: 'a' }),
      pod(
        'daemon',
        { nodeName: 'a' },
        { ownerReferences: [{ kind: 'DaemonSet', controller: true, name: 'ds', uid: 'u', apiVersion: 'apps/v1' }] },
      ),
      pod('mine', { nodeName: 'a' }, { namespace: 'probe-ns' }),
      pod('elsewhere', { nodeName: 'gpu-a100-0', ...gpu }),
      pod('selects-pool', { nodeSelector: { 'test-role': 'autoscaling' } }),
      pod('gpu-untolerating', gpu),
      pod('gpu-tolerating', tolerating),
      pod('claims', { resourceClaims: [{ name: 'x' }], tolerations: [{ operator: 'Exists' }] }),
    ];
    expect(foreignWorkloads(pods, nodes, label, 'nvidia.com/gpu', 'probe-ns')).to.deep.equal([
      'other/gpu-tolerating pending for nvidia.com/gpu',
      'other/on-pool on a',
      'other/selects-pool pending for the pool',
    ]);
    expect(foreignWorkloads(pods, nodes, label, 'nvidia.com/gpu', 'probe-ns', true)).to.include(
      'other/claims pending for a DRA claim',
    );
  });
});

describe('cluster autoscaling: the allocation mode', () => {
  const offer = (devices: Record<string, number>, extra: Partial<PoolOffer> = {}): PoolOffer => ({
    resource: 'nvidia.com/gpu',
    driver: 'gpu.nvidia.com',
    deviceClass: 'gpu.nvidia.com',
    draDevices: new Map(Object.entries(devices)),
    ...extra,
  });
  const onePerNode = pool(node('a', { gpus: '1' }), node('b', { gpus: '1' }));

  it('auto prefers DRA where every pool node publishes one device', () => {
    expect(choosePoolMode('auto', onePerNode, offer({ a: 1, b: 1 }), 'k=v')).to.deep.equal({ mode: 'dra' });
  });

  it('auto falls back to the device plugin, saying why DRA was not probed', () => {
    expect(choosePoolMode('auto', onePerNode, offer({ a: 1 }), 'k=v')).to.deep.equal({
      mode: 'device-plugin',
      note: "DRA mode not probed: no ResourceSlice publishes devices of driver gpu.nvidia.com (DeviceClass gpu.nvidia.com) for the pool's nodes b; the pool offers its accelerators through a device plugin",
    });
    const noClass = choosePoolMode(
      'auto',
      onePerNode,
      offer({}, { draUnavailable: 'DeviceClass x does not exist' }),
      'k=v',
    );
    expect(noClass).to.deep.equal({
      mode: 'device-plugin',
      note: 'DRA mode not probed: DeviceClass x does not exist; the pool offers its accelerators through a device plugin',
    });
  });

  it('skips a forced mode the pool does not offer, and auto when it offers none', () => {
    expect(choosePoolMode('dra', onePerNode, offer({}), 'k=v'))
      .to.have.property('skip')
      .that.match(/^allocationMode=dra but no ResourceSlice/);
    expect(choosePoolMode('device-plugin', pool(node('a')), offer({ a: 1 }), 'k=v')).to.deep.equal({
      skip: 'allocationMode=device-plugin but no node of the pool k=v advertises nvidia.com/gpu allocatable (parameters accelerator, acceleratorResource)',
    });
    expect(choosePoolMode('auto', pool(node('a')), offer({}), 'k=v'))
      .to.have.property('skip')
      .that.match(/offers no accelerator/);
  });

  it('finds a pool unfit whose nodes hold more than one accelerator', () => {
    expect(choosePoolMode('auto', pool(node('a', { gpus: '4' })), offer({}), 'k=v'))
      .to.have.property('unfit')
      .that.contains('a=4');
    expect(choosePoolMode('auto', onePerNode, offer({ a: 1, b: 2 }), 'k=v'))
      .to.have.property('unfit')
      .that.contains('b=2');
  });
});

describe('cluster autoscaling: the manifests', () => {
  const params = {
    name: 'dp-baseline-0',
    role: 'dp-baseline',
    poolKey: 'test-role',
    poolValue: 'autoscaling',
    probeImage: 'busybox:1.36',
    resource: 'nvidia.com/gpu',
  };

  it('a device-plugin pod asks for one accelerator on the pool and runs until deleted', () => {
    const [p] = loadManifests(manifestFile('scheduling', 'autoscaling-pod.yaml'), params) as Pod[];
    expect(p?.metadata?.labels).to.deep.equal({ 'ai-conformance.io/autoscaling-role': 'dp-baseline' });
    expect(p?.spec?.nodeSelector).to.deep.equal({ 'test-role': 'autoscaling' });
    expect(p?.spec?.restartPolicy).to.equal('Always');
    expect(p?.spec?.containers[0]?.resources?.limits).to.deep.equal({ 'nvidia.com/gpu': 1 });
    expect(p?.spec?.containers[0]?.securityContext?.privileged).to.equal(false);
  });

  it('a DRA pod takes its accelerator from the claim template, which asks for exactly one device', () => {
    const [p] = loadManifests(manifestFile('scheduling', 'autoscaling-pod-dra.yaml'), params) as Pod[];
    expect(p?.spec?.resourceClaims).to.deep.equal([
      { name: 'accelerator', resourceClaimTemplateName: 'autoscaling-accelerator' },
    ]);
    const [t] = loadManifests(manifestFile('scheduling', 'autoscaling-claim-template.yaml'), {
      deviceClass: 'gpu.nvidia.com',
    });
    expect((t as { spec: { spec: { devices: { requests: unknown[] } } } }).spec.spec.devices.requests).to.deep.equal([
      { name: 'accelerator', exactly: { deviceClassName: 'gpu.nvidia.com', allocationMode: 'ExactCount', count: 1 } },
    ]);
  });

  it('the PodDisruptionBudget keeps every baseline pod', () => {
    const [pdb] = loadManifests(manifestFile('scheduling', 'autoscaling-pdb.yaml'), { role: 'dp-baseline', count: 2 });
    expect(pdb?.spec).to.deep.equal({
      minAvailable: 2,
      selector: { matchLabels: { 'ai-conformance.io/autoscaling-role': 'dp-baseline' } },
    });
  });
});
