import { expect } from 'chai';
import { CleanupStack } from '../../../src/kube/cleanup.js';

describe('kube/cleanup CleanupStack', () => {
  it('runs steps last-in first-out', async () => {
    const order: string[] = [];
    const stack = new CleanupStack();
    stack.push('namespace', () => void order.push('namespace'));
    stack.push('job', async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push('job');
    });
    stack.push('claim', () => void order.push('claim'));
    expect(stack.size).to.equal(3);
    await stack.run(() => undefined);
    expect(order).to.deep.equal(['claim', 'job', 'namespace']);
    expect(stack.size).to.equal(0);
  });

  it('continues past failures, logs each, and returns them', async () => {
    const order: string[] = [];
    const lines: string[] = [];
    const stack = new CleanupStack();
    stack.push('first', () => void order.push('first'));
    stack.push('broken sync', () => {
      throw new Error('boom');
    });
    stack.push('broken async', () => Promise.reject(new Error('bang')));
    const failures = await stack.run((l) => lines.push(l));
    expect(order).to.deep.equal(['first']);
    expect(failures.map((f) => f.description)).to.deep.equal(['broken async', 'broken sync']);
    expect(lines).to.deep.equal(['cleanup failed: broken async: bang', 'cleanup failed: broken sync: boom']);
  });

  it('is idempotent: a second run does nothing', async () => {
    let calls = 0;
    const stack = new CleanupStack();
    stack.push('once', () => void (calls += 1));
    await stack.run(() => undefined);
    const again = await stack.run(() => undefined);
    expect(calls).to.equal(1);
    expect(again).to.deep.equal([]);
  });

  it('joins a run already in progress instead of running steps twice (signal during an after hook)', async () => {
    let calls = 0;
    let release!: () => void;
    const stack = new CleanupStack();
    stack.push(
      'slow',
      () =>
        new Promise<void>((r) => {
          calls += 1;
          release = r;
        }),
    );
    const a = stack.run(() => undefined);
    const b = stack.run(() => undefined);
    release();
    await Promise.all([a, b]);
    expect(calls).to.equal(1);
  });

  it('runs steps pushed by a step in the same pass', async () => {
    const order: string[] = [];
    const stack = new CleanupStack();
    stack.push('outer', () => {
      order.push('outer');
      stack.push('inner', () => void order.push('inner'));
    });
    await stack.run(() => undefined);
    expect(order).to.deep.equal(['outer', 'inner']);
  });
});
