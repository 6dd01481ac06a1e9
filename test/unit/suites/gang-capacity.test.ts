import { expect } from 'chai';
import type { Node } from '../../../src/kube/objects.js';
import { ACCELERATORS } from '../../../src/requirements/accelerators.js';
import { describeCapacity, gangCapacity, oversizedGang } from '../../../suites/scheduling/gang/capacity.js';

const nvidia = ACCELERATORS['nvidia'];
if (nvidia === undefined) throw new Error('no nvidia entry in the accelerator table');

function node(
  name: string,
  gpus: number | undefined,
  extra: { cordoned?: boolean; ready?: boolean; cpu?: string; memory?: string } = {},
): Node {
  const allocatable: Record<string, string> = { cpu: extra.cpu ?? '96', memory: extra.memory ?? '1Ti', pods: '110' };
  if (gpus !== undefined) allocatable['nvidia.com/gpu'] = String(gpus);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: extra.cordoned === true ? { unschedulable: true } : {},
    status: { allocatable, conditions: [{ type: 'Ready', status: extra.ready === false ? 'False' : 'True' }] },
  };
}

// The test cluster: 2 x 4 GPUs, 2 x 8 GPUs, 2 CPU-only nodes.
const TEST_CLUSTER = [
  node('gpu-a100-0', 4),
  node('gpu-a100-1', 4),
  node('gpu-h100-0', 8, { cpu: '192', memory: '2Ti' }),
  node('gpu-h100-1', 8, { cpu: '192', memory: '2Ti' }),
  node('cpu-0', undefined, { cpu: '32', memory: '128Gi' }),
  node('cpu-1', undefined, { cpu: '32', memory: '128Gi' }),
];

describe('suites/scheduling/gang/capacity', () => {
  it('sums the usable nodes: accelerators, the largest node, cpu and memory', () => {
    const cap = gangCapacity(TEST_CLUSTER, nvidia);
    expect(cap).to.deep.equal({
      resource: 'nvidia.com/gpu',
      total: 24,
      largestNode: 8,
      nodes: 4,
      cpu: 96 * 2 + 192 * 2 + 32 * 2,
      memoryBytes: 2 * 2 ** 40 + 2 * 2 * 2 ** 40 + 2 * 128 * 2 ** 30,
    });
    expect(describeCapacity(cap)).to.equal('24 nvidia.com/gpu on 4 nodes (at most 8 on one)');
  });

  it('leaves out cordoned and NotReady nodes', () => {
    const cap = gangCapacity(
      [...TEST_CLUSTER.slice(0, 3), node('gpu-h100-1', 8, { cordoned: true }), node('gpu-x', 8, { ready: false })],
      nvidia,
    );
    expect(cap.total).to.equal(16);
    expect(cap.nodes).to.equal(3);
  });

  it('reports nothing on a cluster without the accelerator', () => {
    const cap = gangCapacity(TEST_CLUSTER.slice(4), nvidia);
    expect(cap).to.include({ total: 0, largestNode: 0, nodes: 0 });
  });

  it('the oversized gang: largest-node pods, one more than the cluster holds', () => {
    const cap = gangCapacity(TEST_CLUSTER, nvidia);
    // 3 pods of 8 fit exactly (24); 4 cannot, though each one fits an 8-GPU node alone.
    expect(oversizedGang(cap)).to.deep.equal({ pods: 4, perPod: 8, demand: 32 });
    expect(oversizedGang(cap, 24)).to.deep.equal({ pods: 4, perPod: 8, demand: 32 });
  });

  it('the oversized gang also exceeds a quota larger than the cluster', () => {
    const cap = gangCapacity(TEST_CLUSTER, nvidia);
    const g = oversizedGang(cap, 40);
    expect(g).to.deep.equal({ pods: 6, perPod: 8, demand: 48 });
    expect(g.demand).to.be.greaterThan(40);
  });

  it('is at least a gang of two, even on a single one-accelerator node', () => {
    const cap = gangCapacity([node('small', 1)], nvidia);
    expect(oversizedGang(cap)).to.deep.equal({ pods: 2, perPod: 1, demand: 2 });
  });
});
