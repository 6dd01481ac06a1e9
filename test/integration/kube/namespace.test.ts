// Probe namespaces: name, labels, default ServiceAccount, and deletion through the cleanup stack.
import { expect } from 'chai';
import { CleanupStack } from '../../../src/kube/cleanup.js';
import { isNotFound } from '../../../src/kube/client.js';
import { MANAGED_BY_LABEL, PROBE_LABEL, RUN_LABEL } from '../../../src/kube/labels.js';
import { createProbeNamespace, probeNamespaceName } from '../../../src/kube/namespace.js';
import { requireCluster, testKube } from '../cluster.js';
import { testRunId } from './fixture.js';

describe('probe namespaces on the test cluster', function () {
  this.timeout(120_000);
  before(requireCluster);

  it('creates a labelled namespace with its default ServiceAccount, and the cleanup stack deletes it', async () => {
    const kube = testKube();
    const runId = testRunId('ns');
    const cleanup = new CleanupStack();
    const name = await createProbeNamespace(kube, { runId, probe: 'namespace-lifecycle', cleanup });
    try {
      expect(name).to.equal(probeNamespaceName(runId, 'namespace-lifecycle'));
      const ns = await kube.core.readNamespace({ name });
      expect(ns.metadata?.labels).to.include({
        [MANAGED_BY_LABEL]: 'ai-conformance',
        [RUN_LABEL]: runId,
        [PROBE_LABEL]: 'namespace-lifecycle',
      });
      const sa = await kube.core.readNamespacedServiceAccount({ namespace: name, name: 'default' });
      expect(sa.metadata?.name).to.equal('default');
      expect(cleanup.size).to.equal(1);
    } finally {
      const failures = await cleanup.run((line) => {
        console.error(line);
      });
      expect(failures).to.deep.equal([]);
    }
    // The cleanup step waits until the namespace is gone, not merely Terminating.
    try {
      await kube.core.readNamespace({ name });
      expect.fail(`namespace ${name} still exists after cleanup`);
    } catch (err) {
      expect(isNotFound(err), String(err)).to.equal(true);
    }
  });

  it('refuses to set up the same probe twice in one run', async () => {
    const kube = testKube();
    const runId = testRunId('ns2');
    const cleanup = new CleanupStack();
    try {
      await createProbeNamespace(kube, { runId, probe: 'twice', cleanup });
      let message = '';
      await createProbeNamespace(kube, { runId, probe: 'twice', cleanup }).catch((err: unknown) => {
        message = (err as Error).message;
      });
      expect(message).to.match(
        /^namespace aic-twice-[0-9a-f]{8} already exists: probe "twice" was already set up in run it-ns2-/,
      );
      expect(cleanup.size).to.equal(1, 'the failed attempt registers nothing');
    } finally {
      await cleanup.run((line) => {
        console.error(line);
      });
    }
  });
});
