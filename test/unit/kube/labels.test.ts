import { expect } from 'chai';
import {
  isLabelValue,
  managedSelector,
  MANAGED_BY_LABEL,
  PROBE_LABEL,
  probeSelector,
  RUN_LABEL,
  runLabels,
  runSelector,
  toLabelValue,
} from '../../../src/kube/labels.js';

describe('kube/labels', () => {
  it('has the label keys DESIGN.md names', () => {
    expect(MANAGED_BY_LABEL).to.equal('app.kubernetes.io/managed-by');
    expect(RUN_LABEL).to.equal('ai-conformance.io/run');
    expect(PROBE_LABEL).to.equal('ai-conformance.io/probe');
  });

  it('builds run and probe labels', () => {
    expect(runLabels('20260101-120000-a1b2c3', 'TestGangScheduling/Negative')).to.deep.equal({
      'app.kubernetes.io/managed-by': 'ai-conformance',
      'ai-conformance.io/run': '20260101-120000-a1b2c3',
      'ai-conformance.io/probe': 'TestGangScheduling-Negative',
    });
    expect(runLabels('r1')).to.not.have.property(PROBE_LABEL);
  });

  it('refuses a run id that is not a label value, since cleanup selects on it exactly', () => {
    expect(() => runLabels('run/1')).to.throw('run id "run/1" is not a valid label value');
    expect(() => runLabels('')).to.throw('not a valid label value');
    expect(() => runLabels('x'.repeat(64))).to.throw('not a valid label value');
  });

  it('makes any text a label value', () => {
    expect(toLabelValue('--a b/c__')).to.equal('a-b-c');
    expect(toLabelValue('x'.repeat(80))).to.have.length(63);
    expect(isLabelValue(toLabelValue('!!Weird name: with spaces & stuff!!'))).to.equal(true);
  });

  it('builds selectors for all runs, one run and one probe', () => {
    expect(managedSelector()).to.equal('app.kubernetes.io/managed-by=ai-conformance');
    expect(runSelector('r1')).to.equal('app.kubernetes.io/managed-by=ai-conformance,ai-conformance.io/run=r1');
    expect(probeSelector('r1', 'dra')).to.equal(`${runSelector('r1')},ai-conformance.io/probe=dra`);
  });
});
