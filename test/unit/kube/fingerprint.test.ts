import { expect } from 'chai';
import {
  isAcceleratorLabel,
  isExtendedResource,
  parseQuantity,
  summarizeNodes,
} from '../../../src/kube/fingerprint.js';
import type { Node } from '../../../src/kube/objects.js';

function node(name: string, ready: boolean, labels: Record<string, string>, allocatable: Record<string, string>): Node {
  return {
    metadata: { name, labels },
    status: { allocatable, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

describe('kube/fingerprint', () => {
  it('recognizes extended resources and accelerator labels', () => {
    expect(isExtendedResource('nvidia.com/gpu')).to.equal(true);
    expect(isExtendedResource('cpu')).to.equal(false);
    expect(isExtendedResource('hugepages-2Mi')).to.equal(false);
    expect(isExtendedResource('kubernetes.io/batch-cpu')).to.equal(false);
    expect(isExtendedResource('scheduling.kubernetes.io/x')).to.equal(false);
    expect(isAcceleratorLabel('nvidia.com/gpu.product')).to.equal(true);
    expect(isAcceleratorLabel('feature.node.kubernetes.io/pci-10de.present')).to.equal(true);
    expect(isAcceleratorLabel('cloud.google.com/gke-tpu-topology')).to.equal(true);
    expect(isAcceleratorLabel('kubernetes.io/hostname')).to.equal(false);
  });

  it('parses quantities', () => {
    expect(parseQuantity('8')).to.equal(8);
    expect(parseQuantity('2k')).to.equal(2000);
    expect(parseQuantity('1Ki')).to.equal(1024);
    expect(parseQuantity('500m')).to.equal(0.5);
    expect(parseQuantity('lots')).to.equal(undefined);
  });

  it('summarizes nodes: counts, accelerator nodes with only accelerator labels, totals', () => {
    const nodes = [
      node(
        'gpu-1',
        true,
        { 'nvidia.com/gpu.product': 'H100', 'kubernetes.io/hostname': 'gpu-1' },
        { cpu: '96', 'nvidia.com/gpu': '8' },
      ),
      node(
        'gpu-0',
        false,
        { 'nvidia.com/gpu.present': 'true' },
        { cpu: '96', 'nvidia.com/gpu': '4', 'example.com/dongle': '1' },
      ),
      node('cpu-0', true, { 'kubernetes.io/hostname': 'cpu-0' }, { cpu: '32', memory: '128Gi' }),
      node('tpu-0', true, {}, { 'google.com/tpu': '4' }),
    ];
    const s = summarizeNodes(nodes);
    expect(s.total).to.equal(4);
    expect(s.ready).to.equal(3);
    expect(s.withAccelerators.map((n) => n.name)).to.deep.equal(['gpu-0', 'gpu-1', 'tpu-0']);
    expect(s.withAccelerators[1]).to.deep.equal({
      name: 'gpu-1',
      labels: { 'nvidia.com/gpu.product': 'H100' },
      allocatable: { 'nvidia.com/gpu': '8' },
    });
    expect(s.withAccelerators[0]?.allocatable).to.deep.equal({ 'nvidia.com/gpu': '4', 'example.com/dongle': '1' });
    expect(s.acceleratorTotals).to.deep.equal({ 'nvidia.com/gpu': 12, 'google.com/tpu': 4 });
  });
});
