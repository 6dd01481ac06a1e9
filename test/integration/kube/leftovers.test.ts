// Leftovers by label: a run's namespaces and cluster-scoped objects go, another run's stay.
import { expect } from 'chai';
import { cleanup } from '../../../src/cli/cleanup.js';
import type { Kube } from '../../../src/kube/client.js';
import { runLabels } from '../../../src/kube/labels.js';
import { deleteLeftovers } from '../../../src/kube/leftovers.js';
import type { Namespace } from '../../../src/kube/objects.js';
import { requireCluster, testKube, testKubeconfig } from '../cluster.js';
import { testRunId } from './fixture.js';

async function namespace(kube: Kube, name: string): Promise<Namespace | undefined> {
  const list = await kube.getJson<{ items: Namespace[] }>('/api/v1/namespaces', {
    fieldSelector: `metadata.name=${name}`,
  });
  return list.items[0];
}

describe('leftovers on the test cluster', function () {
  this.timeout(120_000);
  let kube: Kube;
  const mine = testRunId('left');
  const other = testRunId('other');
  const nsMine = `aic-leftover-${mine.slice(-12)}`;
  const nsOther = `aic-leftover-${other.slice(-12)}-o`;
  const priorityClass = `aic-leftover-${mine.slice(-12)}`;

  before(async () => {
    await requireCluster();
    kube = testKube();
    // Made by hand, as an interrupted run would have left them.
    for (const spec of [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsMine, labels: runLabels(mine, 'leftovers') } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsOther, labels: runLabels(other, 'leftovers') } },
      {
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: { name: priorityClass, labels: runLabels(mine, 'leftovers') },
        value: 1000,
      },
    ]) {
      await kube.objects.create(spec);
    }
  });

  after(async () => {
    for (const runId of [mine, other]) await deleteLeftovers(kube, { runId }, () => undefined);
  });

  it('lists without deleting in a dry run', async () => {
    const lines: string[] = [];
    const result = await deleteLeftovers(kube, { runId: mine }, (l) => lines.push(l), { dryRun: true });
    expect(result.deleted.map((o) => `${o.kind}/${o.name}`)).to.deep.equal([
      `Namespace/${nsMine}`,
      `PriorityClass/${priorityClass}`,
    ]);
    expect(lines).to.deep.equal([`would delete namespace ${nsMine}`, `would delete priorityclass ${priorityClass}`]);
    expect((await namespace(kube, nsMine))?.metadata?.deletionTimestamp).to.equal(undefined);
  });

  it('a dry run for all runs finds both runs', async () => {
    const result = await deleteLeftovers(kube, { all: true }, () => undefined, { dryRun: true });
    expect(result.deleted.map((o) => o.name)).to.include.members([nsMine, nsOther, priorityClass]);
  });

  it("deletes one run's namespace and cluster-scoped objects and leaves the other run's alone", async () => {
    const lines: string[] = [];
    const result = await deleteLeftovers(kube, { runId: mine }, (l) => lines.push(l));
    expect(result.failures).to.deep.equal([]);
    expect(lines).to.deep.equal([`deleted namespace ${nsMine}`, `deleted priorityclass ${priorityClass}`]);
    const ns = await namespace(kube, nsMine);
    expect(
      ns === undefined || ns.metadata?.deletionTimestamp !== undefined,
      'namespace is gone or terminating',
    ).to.equal(true);
    expect((await namespace(kube, nsOther))?.metadata?.deletionTimestamp).to.equal(undefined);
    const pcs = await kube.getJson<{ items: unknown[] }>('/apis/scheduling.k8s.io/v1/priorityclasses', {
      fieldSelector: `metadata.name=${priorityClass}`,
    });
    expect(pcs.items).to.deep.equal([]);
  });

  it('the cleanup command prints what it deletes', async () => {
    const lines: string[] = [];
    await cleanup({ run: other, all: false, kubeconfig: testKubeconfig(), 'dry-run': false }, (l) => lines.push(l));
    expect(lines[0]).to.match(new RegExp(`^deleting objects of run ${other} on https?://`));
    expect(lines).to.include(`deleted namespace ${nsOther}`);
    expect(lines.at(-1)).to.equal('deleted 1 object');
  });
});
