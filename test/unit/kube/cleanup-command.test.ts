import { expect } from 'chai';
import { cleanup, type CleanupArgs } from '../../../src/cli/cleanup.js';
import { UsageError } from '../../../src/errors.js';

async function usageError(args: Partial<CleanupArgs>): Promise<string> {
  try {
    await cleanup({ all: false, 'dry-run': false, ...args }, () => undefined);
  } catch (err) {
    expect(err).to.be.instanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('cli/cleanup flags', () => {
  it('needs exactly one of --run and --all', async () => {
    expect(await usageError({})).to.equal('cleanup: pass exactly one of --run <id> or --all');
    expect(await usageError({ run: 'r1', all: true })).to.equal('cleanup: pass exactly one of --run <id> or --all');
  });

  it('refuses a run id that cannot be a label value', async () => {
    expect(await usageError({ run: 'a b' })).to.match(/^cleanup: --run "a b" is not a run id/);
  });
});
