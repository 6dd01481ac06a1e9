/**
 * Bundles for the report tests, made with the real code path (writeResults, packAndSign): one
 * signed, and one whose results were edited after signing (a failure turned into a pass and the
 * tarball repacked), which is what tampering by hand looks like.
 */

import { copyFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packFolder } from '../../../src/bundle/pack.js';
import { packAndSign } from '../../../src/bundle/sign.js';
import { writeResults } from '../../../src/results/write.js';
import { writeKeyPair } from '../bundle/fixture.js';
import { failingRun, tempDir } from '../product/fixture.js';

export const CLUSTER = {
  serverVersion: { gitVersion: 'v1.36.2', major: '1', minor: '36', platform: 'linux/amd64' },
  nodes: {
    total: 3,
    ready: 3,
    withAccelerators: [
      {
        name: 'gpu-node-1',
        labels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
        allocatable: { 'nvidia.com/gpu': '8' },
      },
    ],
    acceleratorTotals: { 'nvidia.com/gpu': 8 },
  },
  deviceClasses: ['gpu.nvidia.com'],
  resourceSlices: { count: 1, drivers: ['gpu.nvidia.com'] },
  apiGroups: ['v1', 'apps/v1', 'resource.k8s.io/v1', 'kueue.x-k8s.io/v1beta1'],
  storageClasses: [],
  runtimeClasses: [{ name: 'nvidia', handler: 'nvidia' }],
  unavailable: {},
  apiCalls: 9,
};

export interface ReportFixture {
  root: string;
  runDir: string;
  tarball: string;
  pubFile: string;
  /** A key that did not sign anything here. */
  otherPubFile: string;
  /** Same name and signature file as `tarball`, contents edited after signing. */
  tampered: string;
}

export async function reportFixture(): Promise<ReportFixture> {
  const root = await tempDir('aic-report-');
  const results = failingRun();
  // A log line with markup in it: the page must show it as text.
  const first = results.tests[0];
  if (first !== undefined) first.log.push('<script>alert("x")</script> & done');
  const runDir = path.join(root, 'run');
  await writeResults(runDir, results, {
    argv: ['run', '--profile', 'full', '--sign-key', 'vendor.key'],
    cluster: CLUSTER,
  });
  const { keyFile, pubFile } = await writeKeyPair(root, 'vendor');
  const { pubFile: otherPubFile } = await writeKeyPair(root, 'other');
  const signed = await packAndSign(runDir, results, { bundleDir: path.join(root, 'signed'), signKeyPath: keyFile });
  if (signed.signature === undefined) throw new Error('fixture: no signature');

  const editedDir = path.join(root, 'edited');
  await cp(runDir, editedDir, { recursive: true });
  const junit = path.join(editedDir, 'junit.xml');
  const xml = await readFile(junit, 'utf8');
  await writeFile(junit, xml.replace(/<failure message="pod without[^]*?<\/failure>/, ''));
  const tamperedDir = path.join(root, 'tampered');
  await mkdir(tamperedDir);
  const tampered = path.join(tamperedDir, path.basename(signed.tarball));
  await packFolder(editedDir, tampered);
  await copyFile(signed.signature, `${tampered}.sigstore.json`);
  return { root, runDir, tarball: signed.tarball, pubFile, otherPubFile, tampered };
}
