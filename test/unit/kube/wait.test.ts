import { expect } from 'chai';
import { describeTarget, refOf } from '../../../src/kube/objects.js';
import { formatDuration } from '../../../src/kube/wait.js';

describe('kube/wait helpers', () => {
  it('formats durations for timeout messages and heartbeats', () => {
    expect(formatDuration(850)).to.equal('850ms');
    expect(formatDuration(4240)).to.equal('4.2s');
    expect(formatDuration(60_000)).to.equal('1m0s');
    expect(formatDuration(59_600)).to.equal('1m0s');
    expect(formatDuration(45_000)).to.equal('45s');
    expect(formatDuration(150_000)).to.equal('2m30s');
  });

  it('words targets the way messages read', () => {
    expect(describeTarget({ apiVersion: 'v1', kind: 'Pod', namespace: 'aic-x', name: 'p1' })).to.equal('pod aic-x/p1');
    expect(describeTarget({ apiVersion: 'resource.k8s.io/v1', kind: 'DeviceClass', name: 'gpu.nvidia.com' })).to.equal(
      'deviceclass gpu.nvidia.com',
    );
    expect(describeTarget({ apiVersion: 'v1', kind: 'Pod', namespace: 'aic-x', labelSelector: 'app=w' })).to.equal(
      'pods in aic-x with app=w',
    );
    expect(describeTarget({ apiVersion: 'kueue.x-k8s.io/v1beta1', kind: 'ClusterQueue' })).to.equal(
      'clusterqueues in all namespaces',
    );
    expect(describeTarget({ apiVersion: 'v1', kind: 'Event', namespace: 'n', fieldSelector: 'reason=X' })).to.equal(
      'events in n with reason=X',
    );
    expect(describeTarget({ apiVersion: 'v1', kind: 'Policy', namespace: 'n' })).to.equal('policies in n');
  });

  it('takes the reference of a created object', () => {
    expect(refOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n' } })).to.deep.equal({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'n',
      name: 'p',
    });
    expect(() => refOf({ kind: 'Pod' })).to.throw('object has no apiVersion, kind or metadata.name');
  });
});
