import { expect } from 'chai';
import {
  PREDICATE_TYPE,
  STATEMENT_TYPE,
  buildStatement,
  requirementVerdict,
  serializeStatement,
} from '../../../src/bundle/statement.js';
import { sampleResults } from './fixture.js';

const SUBJECTS = {
  tarball: { name: 'ai-conformance-202611221340-r.tar.gz', sha256: '1'.repeat(64) },
  sumsSha256: '2'.repeat(64),
};

describe('bundle/statement', () => {
  it('has exactly the four standard top-level fields and our predicate type', () => {
    const s = buildStatement(sampleResults(), SUBJECTS);
    expect(Object.keys(JSON.parse(serializeStatement(s).toString('utf8')) as object)).to.deep.equal([
      '_type',
      'subject',
      'predicateType',
      'predicate',
    ]);
    expect(s._type).to.equal(STATEMENT_TYPE);
    expect(s.predicateType).to.equal('https://ai-conformance.dev/attestation/results/v1');
    expect(s.predicateType).to.equal(PREDICATE_TYPE);
    expect(s.subject).to.deep.equal([
      { name: SUBJECTS.tarball.name, digest: { sha256: SUBJECTS.tarball.sha256 } },
      { name: 'SHA256SUMS', digest: { sha256: SUBJECTS.sumsSha256 } },
    ]);
  });

  it('carries the run summary, test lists and per-requirement verdicts', () => {
    const p = buildStatement(sampleResults(), SUBJECTS).predicate;
    expect(p.result).to.equal('FAILED');
    expect(p.profile).to.deep.equal({ id: 'full', version: 'v1.35', digest: { sha256: 'ab'.repeat(32) } });
    expect(p.tool).to.deep.equal({ name: 'ai-conformance', version: '0.1.0' });
    expect(p.kubernetes).to.deep.equal({ serverVersion: 'v1.35.2' });
    expect(p.startedOn).to.equal('2026-11-22T13:40:00Z');
    expect(p.finishedOn).to.equal('2026-11-22T13:52:10Z');
    expect(p.summary).to.deep.equal({ passed: 3, failed: 1, skipped: 1, error: 1, total: 6 });
    expect(p.failedTests).to.deep.equal(['TestSecureAcceleratorAccess/NegativeAccessTest']);
    expect(p.skippedTests).to.deep.equal(['TestDynamicResourceAllocation']);
    expect(p.errorTests).to.deep.equal(['TestAcceleratorMetrics']);
    expect(p.passedTests).to.have.length(3);
    expect(p.requirements).to.deep.equal({
      gang_scheduling: {
        verdict: 'passed',
        tests: ['TestGangScheduling/PositiveGangScheduling', 'TestGangScheduling/NegativeGangScheduling'],
      },
      secure_accelerator_access: {
        verdict: 'failed',
        tests: ['TestSecureAcceleratorAccess/PositiveAccessTest', 'TestSecureAcceleratorAccess/NegativeAccessTest'],
      },
      dra_support: { verdict: 'skipped', tests: ['TestDynamicResourceAllocation'] },
      accelerator_metrics: { verdict: 'error', tests: ['TestAcceleratorMetrics'] },
    });
  });

  it('derives a requirement verdict: failed > error > passed > skipped', () => {
    expect(requirementVerdict(['passed', 'error', 'failed'])).to.equal('failed');
    expect(requirementVerdict(['passed', 'error'])).to.equal('error');
    expect(requirementVerdict(['skipped', 'passed'])).to.equal('skipped');
    expect(requirementVerdict(['passed', 'passed'])).to.equal('passed');
    expect(requirementVerdict(['skipped', 'skipped'])).to.equal('skipped');
    expect(requirementVerdict([])).to.equal('skipped');
  });

  it('omits serverVersion when the cluster was not reached, and says INCOMPLETE for a partial run', () => {
    const results = sampleResults();
    delete results.run.serverVersion;
    results.run.incomplete = true;
    results.tests = results.tests.filter((t) => t.status === 'passed');
    const p = buildStatement(results, SUBJECTS).predicate;
    expect(p.kubernetes).to.deep.equal({});
    expect(p.result).to.equal('INCOMPLETE');
  });
});
