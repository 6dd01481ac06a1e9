import { expect } from 'chai';
import type { RunResults, Status, TestResult } from '../../../src/results/model.js';
import { buildTree, flattenTests, packageName } from '../../../src/results/tree.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');

function leaf(name: string, status: Status, startOffsetMs = 0, durationMs = 0, requirement = 'req'): TestResult {
  return {
    name,
    requirement,
    probe: 'probe',
    status,
    ...(status === 'passed' ? {} : { message: `${status} because` }),
    durationMs,
    startedAt: new Date(T0 + startOffsetMs).toISOString(),
    log: [],
  };
}

function run(tests: TestResult[]): RunResults {
  return {
    run: {
      runId: 'r',
      tool: { name: 'ai-conformance', version: '0.0.0' },
      profile: { name: 'p', checklistVersion: 'v1.37', digest: 'd' },
      startedAt: new Date(T0).toISOString(),
      finishedAt: new Date(T0).toISOString(),
      incomplete: false,
    },
    tests,
  };
}

function statuses(results: RunResults): Record<string, Status> {
  return Object.fromEntries(
    buildTree(results).packages.flatMap((p) => flattenTests(p.tests).map((n) => [n.name, n.status])),
  );
}

describe('results tree', () => {
  it('one package per requirement, in order of first appearance', () => {
    const tree = buildTree(
      run([
        leaf('TestB', 'passed', 0, 0, 'b_req'),
        leaf('TestA', 'passed', 0, 0, 'a_req'),
        leaf('TestB2', 'passed', 0, 0, 'b_req'),
      ]),
    );
    expect(tree.packages.map((p) => p.name)).to.deep.equal(['ai-conformance/b_req', 'ai-conformance/a_req']);
    expect(tree.packages[0]?.tests.map((t) => t.name)).to.deep.equal(['TestB', 'TestB2']);
    expect(packageName('gang_scheduling')).to.equal('ai-conformance/gang_scheduling');
  });

  it('parent fails when a child failed or errored, is skipped when all children skipped, else passes', () => {
    expect(
      statuses(
        run([
          leaf('TestF/A', 'passed'),
          leaf('TestF/B', 'failed'),
          leaf('TestE/A', 'skipped'),
          leaf('TestE/B', 'error'),
          leaf('TestS/A', 'skipped'),
          leaf('TestS/B', 'skipped'),
          leaf('TestP/A', 'passed'),
          leaf('TestP/B', 'skipped'),
        ]),
      ),
    ).to.deep.equal({
      TestF: 'failed',
      'TestF/A': 'passed',
      'TestF/B': 'failed',
      TestE: 'failed',
      'TestE/A': 'skipped',
      'TestE/B': 'error',
      TestS: 'skipped',
      'TestS/A': 'skipped',
      'TestS/B': 'skipped',
      TestP: 'passed',
      'TestP/A': 'passed',
      'TestP/B': 'skipped',
    });
  });

  it('a package fails only when one of its tests fails or errors', () => {
    const tree = buildTree(run([leaf('TestS', 'skipped', 0, 0, 's'), leaf('TestE', 'error', 0, 0, 'e')]));
    expect(tree.packages.map((p) => p.status)).to.deep.equal(['passed', 'failed']);
  });

  it('parent time spans its children, from the first start to the last end', () => {
    const tree = buildTree(run([leaf('TestX/A', 'passed', 1000, 2000), leaf('TestX/B', 'passed', 3500, 500)]));
    const parent = tree.packages[0]?.tests[0];
    expect(parent).to.include({ name: 'TestX', startMs: T0 + 1000, durationMs: 3000 });
    expect(tree.packages[0]).to.include({ startMs: T0 + 1000, durationMs: 3000 });
  });

  it('nests deeper names and keeps run order', () => {
    const tree = buildTree(run([leaf('TestA/B/C', 'passed'), leaf('TestA/B/D', 'failed'), leaf('TestA/E', 'passed')]));
    const names = flattenTests(tree.packages[0]?.tests ?? []).map((n) => `${n.depth}:${n.name}:${n.status}`);
    expect(names).to.deep.equal([
      '0:TestA:failed',
      '1:TestA/B:failed',
      '2:TestA/B/C:passed',
      '2:TestA/B/D:failed',
      '1:TestA/E:passed',
    ]);
  });

  it('a repeated name becomes Name#01, as Go names repeated subtests; spaces become _', () => {
    const tree = buildTree(
      run([leaf('TestX/A', 'passed'), leaf('TestX/A', 'failed'), leaf('TestX/with space', 'passed')]),
    );
    expect(flattenTests(tree.packages[0]?.tests ?? []).map((n) => n.name)).to.deep.equal([
      'TestX',
      'TestX/A',
      'TestX/A#01',
      'TestX/with_space',
    ]);
  });

  it('a leaf that is also a parent keeps its own result and its children', () => {
    const s = statuses(run([leaf('TestX', 'passed'), leaf('TestX/A', 'skipped')]));
    expect(s).to.deep.equal({ TestX: 'passed', 'TestX/A': 'skipped' });
  });

  it('does not change the model', () => {
    const results = run([leaf('TestX/A', 'passed')]);
    const before = JSON.stringify(results);
    buildTree(results);
    expect(JSON.stringify(results)).to.equal(before);
  });
});
