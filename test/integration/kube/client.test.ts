// Preflight, fingerprint and the 401/403 mapping against the real test cluster.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ClusterError } from '../../../src/errors.js';
import { Kube, loadKubeConfig } from '../../../src/kube/client.js';
import { clusterFingerprint } from '../../../src/kube/fingerprint.js';
import { requireCluster, testKube, testKubeconfig } from '../cluster.js';
import { probeFixture } from './fixture.js';

/** A kubeconfig for the test cluster's server and CA, with another user's bearer token. */
function kubeconfigWithToken(kube: Kube, token: string): string {
  const cluster = kube.kubeConfig.getCurrentCluster();
  if (cluster === null) throw new Error('no cluster in the test kubeconfig');
  // Inline the CA so the temporary kubeconfig stands alone.
  const ca =
    cluster.caData ?? (cluster.caFile === undefined ? undefined : readFileSync(cluster.caFile).toString('base64'));
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: test\n  cluster:\n    server: ${cluster.server}`,
    ca === undefined ? '    insecure-skip-tls-verify: true' : `    certificate-authority-data: ${ca}`,
    'users:',
    `- name: other\n  user: {token: "${token}"}`,
    'contexts:',
    '- name: other\n  context: {cluster: test, user: other}',
    'current-context: other',
  ];
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'aic-token-')), 'kubeconfig');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('kube client against the test cluster', function () {
  this.timeout(60_000);
  before(requireCluster);

  it('preflight returns the server version', async () => {
    const v = await testKube().preflight();
    expect(v.gitVersion).to.match(/^v1\.\d+\.\d+/);
    expect(v.major).to.equal('1');
    expect(Number.parseInt(v.minor, 10)).to.be.at.least(34);
  });

  it('fingerprints the GPU nodes, DRA and served APIs in a few calls', async () => {
    const f = await clusterFingerprint(testKube());
    const gpuNodes = f.nodes.withAccelerators.map((n) => n.name);
    expect(gpuNodes).to.include.members(['gpu-a100-0', 'gpu-a100-1', 'gpu-h100-0', 'gpu-h100-1']);
    expect(gpuNodes).to.not.include('cpu-0');
    const h100 = f.nodes.withAccelerators.find((n) => n.name === 'gpu-h100-0');
    expect(h100?.allocatable).to.deep.equal({ 'nvidia.com/gpu': '8' });
    expect(h100?.labels['nvidia.com/gpu.product']).to.equal('NVIDIA-H100-80GB-HBM3');
    expect(h100?.labels).to.not.have.property('kubernetes.io/hostname');
    expect(f.nodes.acceleratorTotals['nvidia.com/gpu']).to.be.at.least(24);
    expect(f.nodes.ready).to.equal(f.nodes.total);
    expect(f.deviceClasses).to.include('gpu.nvidia.com');
    expect(f.resourceSlices?.drivers).to.include('gpu.nvidia.com');
    expect(f.resourceSlices?.count).to.be.at.least(4);
    expect(f.apiGroups).to.include.members(['v1', 'apps/v1', 'resource.k8s.io/v1']);
    expect(f.apiCalls).to.be.at.most(10);
    expect(f.serverVersion.gitVersion).to.match(/^v1\./);
  });

  it('maps a rejected token to an unauthorized ClusterError', async () => {
    const file = kubeconfigWithToken(testKube(), 'not-a-valid-token');
    const kube = new Kube(loadKubeConfig({ kubeconfig: file }));
    try {
      await kube.preflight();
      expect.fail('preflight passed');
    } catch (err) {
      expect(err).to.be.instanceOf(ClusterError);
      expect((err as Error).message).to.match(
        /^unauthorized by the cluster at https:\/\/.* \(context other\): the credentials were rejected \(401 /,
      );
    }
  });

  describe('with a ServiceAccount that may not list nodes', () => {
    const fixture = probeFixture('client-forbidden');

    it('maps 403 on a required list to a forbidden ClusterError', async () => {
      await fixture.kube.core.createNamespacedServiceAccount({
        namespace: fixture.namespace,
        body: { metadata: { name: 'nobody' } },
      });
      const token = await fixture.kube.core.createNamespacedServiceAccountToken({
        namespace: fixture.namespace,
        name: 'nobody',
        body: { spec: { audiences: [], expirationSeconds: 600 } },
      });

      const kube = new Kube(
        loadKubeConfig({ kubeconfig: kubeconfigWithToken(fixture.kube, token.status?.token ?? '') }),
      );
      await kube.preflight(); // /version is public
      try {
        await clusterFingerprint(kube);
        expect.fail('fingerprint passed');
      } catch (err) {
        expect(err).to.be.instanceOf(ClusterError);
        expect((err as Error).message).to.contain('forbidden by the cluster at');
        expect((err as Error).message).to.contain(`system:serviceaccount:${fixture.namespace}:nobody`);
      }
    });
  });

  it('uses the kubeconfig path from AIC_KUBECONFIG or the cache', () => {
    expect(testKubeconfig()).to.match(/kubeconfig$/);
  });
});
