import { expect } from 'chai';
import { probeNamespaceName } from '../../../src/kube/namespace.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('kube/namespace probeNamespaceName', () => {
  it('is aic-<probe>-<8 hex of the run id>', () => {
    expect(probeNamespaceName('20260101-120000-a1b2c3', 'gang-scheduling')).to.match(
      /^aic-gang-scheduling-[0-9a-f]{8}$/,
    );
  });

  it('is stable for a run and differs between runs', () => {
    expect(probeNamespaceName('r1', 'dra')).to.equal(probeNamespaceName('r1', 'dra'));
    expect(probeNamespaceName('r1', 'dra')).to.not.equal(probeNamespaceName('r2', 'dra'));
  });

  it('makes any probe name DNS-safe', () => {
    const name = probeNamespaceName('r1', 'TestGangScheduling/Negative_Case');
    expect(name).to.match(/^aic-testgangscheduling-negative-case-[0-9a-f]{8}$/);
    expect(probeNamespaceName('r1', '///')).to.match(/^aic-probe-[0-9a-f]{8}$/);
  });

  it('stays within 63 characters and keeps long probe names with a shared prefix apart', () => {
    const long = 'accelerator-metrics-exposed-through-the-standard-interface';
    const a = probeNamespaceName('r1', `${long}-positive`);
    const b = probeNamespaceName('r1', `${long}-negative`);
    for (const n of [a, b]) {
      expect(n.length).to.be.at.most(63);
      expect(n).to.match(DNS_LABEL);
    }
    expect(a).to.not.equal(b);
  });
});
