/**
 * `verify` ends with the per-requirement summary taken from the signed statement only, so a
 * reviewer with just the bundle and the vendor's key sees what was certified and what failed.
 */

import { expect } from 'chai';
import { verify } from '../../../src/cli/verify.js';
import { removeDir } from '../product/fixture.js';
import { reportFixture, type ReportFixture } from './fixture.js';

describe('verify: per-requirement summary from the signed statement', () => {
  let fx: ReportFixture;
  before(async () => {
    fx = await reportFixture();
  });
  after(async () => {
    await removeDir(fx.root);
  });

  it('lists each requirement with its level, verdict and test count, and names failed and errored tests', async () => {
    let printed = '';
    await verify({ bundle: fx.tarball, key: fx.pubFile }, { write: (t: string) => (printed += t) });
    const lines = printed.split('\n');
    const start = lines.indexOf('requirements (signed verdicts)');
    expect(start).to.be.greaterThan(0);
    const summary = lines.slice(start + 1).filter((l) => l !== '');
    expect(summary).to.include.members([
      '  ✖ secure_accelerator_access   MUST    failed   2 tests',
      '      ✖ TestSecureAcceleratorAccess/NegativeIsolationTest failed',
      '  ! gang_scheduling             MUST    error    2 tests',
      '      ! TestGangScheduling/NegativeGangScheduling error',
      '  - gpu_sharing                 SHOULD  skipped  1 test',
      '  ✔ model_mounting              ours    passed   1 test',
    ]);
    // Passed requirements list no tests beneath them.
    const ai = summary.findIndex((l) => l.startsWith('  ✔ ai_inference'));
    expect(summary[ai + 1]?.startsWith('  ')).to.equal(true);
    expect(summary[ai + 1]?.startsWith('      ')).to.equal(false);
  });
});
