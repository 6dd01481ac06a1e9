import { expect } from 'chai';
import type { Node, Pod } from '../../../src/kube/objects.js';
import { acceleratorFor, ACCELERATORS, type Accelerator } from '../../../src/requirements/accelerators.js';
import {
  chooseProduct,
  chooseRequestSize,
  describeUnusable,
  planFill,
  podRequest,
  summarizeAcceleratorNodes,
  type AcceleratorNode,
} from '../../../suites/shared/accelerator-nodes.js';

const nvidia = ACCELERATORS['nvidia'] as Accelerator;

function node(
  name: string,
  gpus: number | undefined,
  extra: {
    product?: string;
    taints?: { key: string; effect: string; value?: string }[];
    ready?: boolean;
    cordoned?: boolean;
  } = {},
): Node {
  return {
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': `${name}.host`,
        ...(extra.product === undefined ? {} : { 'nvidia.com/gpu.product': extra.product }),
      },
    },
    spec: {
      ...(extra.taints === undefined ? {} : { taints: extra.taints }),
      ...(extra.cordoned === true ? { unschedulable: true } : {}),
    },
    status: {
      allocatable: { cpu: '32', ...(gpus === undefined ? {} : { 'nvidia.com/gpu': String(gpus) }) },
      conditions: [{ type: 'Ready', status: extra.ready === false ? 'False' : 'True' }],
    },
  };
}

function pod(nodeName: string | undefined, gpus: number, phase = 'Running'): Pod {
  return {
    metadata: { name: 'p', namespace: 'x' },
    spec: {
      ...(nodeName === undefined ? {} : { nodeName }),
      containers: [{ name: 'c', resources: { limits: { 'nvidia.com/gpu': String(gpus) } } }],
    },
    status: { phase },
  };
}

function summary(
  name: string,
  allocatable: number,
  free: number,
  product?: string,
  problems: string[] = [],
): AcceleratorNode {
  return { name, hostname: name, allocatable, free, problems, ...(product === undefined ? {} : { product }) };
}

describe('suites/shared/accelerator-nodes', () => {
  it('counts what a pod takes from its node: containers and sidecars summed, init containers at their peak', () => {
    const gpu = (n: number, sidecar = false) => ({
      name: `c${String(n)}`,
      ...(sidecar ? { restartPolicy: 'Always' } : {}),
      resources: { requests: { 'nvidia.com/gpu': String(n) } },
    });
    expect(podRequest({ containers: [gpu(1), gpu(2)] }, 'nvidia.com/gpu')).to.equal(3);
    expect(podRequest({ containers: [gpu(1)], initContainers: [gpu(4)] }, 'nvidia.com/gpu')).to.equal(4);
    expect(podRequest({ containers: [gpu(1)], initContainers: [gpu(2, true)] }, 'nvidia.com/gpu')).to.equal(3);
    expect(
      podRequest({ containers: [{ name: 'c', resources: { limits: { 'nvidia.com/gpu': '2' } } }] }, 'nvidia.com/gpu'),
    ).to.equal(2);
    expect(podRequest({ containers: [{ name: 'c' }] }, 'nvidia.com/gpu')).to.equal(0);
  });

  it('summarizes every node: allocatable, free after bound unfinished pods, product, why it is unusable', () => {
    const nodes = [
      node('gpu-b', 8, { product: 'H100' }),
      node('gpu-a', 4, { product: 'A100', taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] }),
      node('cpu-0', undefined, { taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] }),
      node('gpu-c', 4, { cordoned: true, ready: false }),
    ];
    const pods = [
      pod('gpu-b', 3),
      pod('gpu-b', 2, 'Succeeded'),
      pod(undefined, 8, 'Pending'),
      pod('gpu-a', 1, 'Pending'),
    ];
    const s = summarizeAcceleratorNodes(nodes, pods, nvidia);
    expect(s.map((n) => [n.name, n.allocatable, n.free, n.product ?? '-'])).to.deep.equal([
      ['cpu-0', 0, 0, '-'],
      ['gpu-a', 4, 3, 'A100'],
      ['gpu-b', 8, 5, 'H100'],
      ['gpu-c', 4, 4, '-'],
    ]);
    expect(s[1]?.hostname).to.equal('gpu-a.host');
    expect(s[1]?.problems, 'the vendor taint is tolerated').to.deep.equal([]);
    expect(describeUnusable(s)).to.equal('cpu-0: taint dedicated=infra:NoSchedule; gpu-c: cordoned, Ready=False');
  });

  it('reads the resource name from the accelerator table, so other vendors count their own resource', () => {
    const amd = acceleratorFor({ accelerator: 'amd' });
    const n: Node = {
      metadata: { name: 'm' },
      status: {
        allocatable: { 'amd.com/gpu': '8', 'nvidia.com/gpu': '2' },
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    };
    expect(summarizeAcceleratorNodes([n], [], amd)[0]?.allocatable).to.equal(8);
  });

  it('asks for one more than the smallest node has where node sizes differ, so that only larger nodes fit', () => {
    expect(chooseRequestSize([summary('a', 4, 4), summary('b', 8, 8), summary('cpu', 0, 0)])).to.equal(5);
    expect(chooseRequestSize([summary('a', 4, 4), summary('b', 4, 4)])).to.equal(2);
    expect(chooseRequestSize([summary('a', 1, 1)])).to.equal(1);
    // Never more than some node has free, and unusable nodes do not count.
    expect(chooseRequestSize([summary('a', 4, 4), summary('b', 8, 3)])).to.equal(4);
    expect(chooseRequestSize([summary('a', 4, 4), summary('b', 8, 8, undefined, ['cordoned'])])).to.equal(2);
  });

  it('selects the product with the fewest accelerators in total, among products with a free one', () => {
    const nodes = [
      summary('h0', 8, 8, 'H100'),
      summary('h1', 8, 8, 'H100'),
      summary('a0', 4, 4, 'A100'),
      summary('a1', 4, 4, 'A100'),
    ];
    expect(chooseProduct(nodes)).to.deep.equal({ product: 'A100', nodes: ['a0', 'a1'] });
    expect(chooseProduct([summary('h0', 8, 8, 'H100'), summary('a0', 4, 0, 'A100')])?.product).to.equal('H100');
    expect(chooseProduct([summary('h0', 8, 8)])).to.equal(undefined);
  });

  it('fills the smallest idle node with two pods that add up to its free accelerators', () => {
    const plan = planFill([summary('h0', 8, 8), summary('a0', 4, 4), summary('a1', 4, 2)]);
    expect(plan?.node.name).to.equal('a0');
    expect(plan?.sizes).to.deep.equal([2, 2]);
    expect(
      planFill([summary('a0', 4, 3), summary('h0', 8, 5)])?.sizes,
      'no idle node: the smallest with a free one',
    ).to.deep.equal([2, 1]);
    expect(planFill([summary('a0', 1, 1)])?.sizes).to.deep.equal([1]);
    expect(planFill([summary('a0', 4, 0), summary('b', 4, 4, undefined, ['cordoned'])])).to.equal(undefined);
  });
});
