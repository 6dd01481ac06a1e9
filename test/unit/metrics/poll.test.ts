import { expect } from 'chai';
import { WaitTimeoutError } from '../../../src/kube/wait.js';
import { pollUntil } from '../../../src/metrics/poll.js';

describe('metrics/poll: waiting on what cannot be watched', function () {
  it('returns the first value that meets the condition', async function () {
    let n = 0;
    const got = await pollUntil(
      () => Promise.resolve(++n),
      (v) => v >= 3,
      String,
      { description: 'n to reach 3', timeoutMs: 2000, intervalMs: 5 },
    );
    expect(got.value).to.equal(3);
    expect(got.reads).to.equal(3);
  });

  it('retries failed reads and reports the last value and error on timeout', async function () {
    let n = 0;
    const lines: string[] = [];
    let error: unknown;
    try {
      await pollUntil(
        () => (++n % 2 === 0 ? Promise.reject(new Error('connection reset')) : Promise.resolve(n)),
        () => false,
        (v) => `n=${String(v)}`,
        { description: 'the impossible', timeoutMs: 120, intervalMs: 10, log: (l) => lines.push(l), heartbeatMs: 40 },
      );
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(WaitTimeoutError);
    expect((error as Error).message).to.match(/^timed out after \d+ms waiting for the impossible; last seen: n=\d+/);
    expect(lines.some((l) => l.startsWith('still waiting: the impossible'))).to.equal(true);
  });

  it('names the error when no read ever succeeded', async function () {
    let error: unknown;
    try {
      await pollUntil(
        () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:9090')),
        () => true,
        String,
        {
          description: 'prometheus',
          timeoutMs: 30,
          intervalMs: 10,
        },
      );
    } catch (err) {
      error = err;
    }
    expect((error as Error).message).to.include('last seen: nothing (last error: ECONNREFUSED 127.0.0.1:9090)');
  });
});
