/**
 * Shared fixtures for the bundle tests and benchmark: a small RunResults, an output folder, and a
 * signed bundle built with the real code path (packAndSign).
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeyPair } from '../../../src/bundle/keys.js';
import { packAndSign, type PackAndSignResult } from '../../../src/bundle/sign.js';
import type { RunResults, Status, TestResult } from '../../../src/results/model.js';

export async function tempDir(prefix = 'aic-bundle-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error('expected a rejection');
  return err;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

function test(name: string, requirement: string, status: Status): TestResult {
  return {
    name,
    requirement,
    probe: requirement.replace(/_/g, '-'),
    status,
    ...(status === 'passed' ? {} : { message: `${status} for a reason` }),
    durationMs: 12,
    startedAt: '2026-11-22T13:40:01Z',
    log: [],
  };
}

export function sampleResults(runId = '3f2a9c1e-0b7d-4e51-9a43-2d6c8e1f0a77'): RunResults {
  return {
    run: {
      runId,
      tool: { name: 'ai-conformance', version: '0.1.0' },
      profile: { name: 'full', checklistVersion: 'v1.35', digest: `sha256:${'ab'.repeat(32)}` },
      startedAt: '2026-11-22T13:40:00Z',
      finishedAt: '2026-11-22T13:52:10Z',
      serverVersion: 'v1.35.2',
      incomplete: false,
    },
    tests: [
      test('TestGangScheduling/PositiveGangScheduling', 'gang_scheduling', 'passed'),
      test('TestGangScheduling/NegativeGangScheduling', 'gang_scheduling', 'passed'),
      test('TestSecureAcceleratorAccess/PositiveAccessTest', 'secure_accelerator_access', 'passed'),
      test('TestSecureAcceleratorAccess/NegativeAccessTest', 'secure_accelerator_access', 'failed'),
      test('TestDynamicResourceAllocation', 'dra_support', 'skipped'),
      test('TestAcceleratorMetrics', 'accelerator_metrics', 'error'),
    ],
  };
}

/** Writes `files` (relative path → content) under `dir`, creating folders. */
export async function writeFiles(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
}

export const SAMPLE_FILES: Record<string, string> = {
  'results.json': '{"tests":6}\n',
  'junit.xml': '<testsuites/>\n',
  'e2e.log': '=== RUN   TestGangScheduling\n--- PASS: TestGangScheduling (0.01s)\n',
  'PRODUCT.yaml': 'metadata:\n  kubernetesVersion: v1.35\n',
  'meta/run.json': '{"runId":"x"}\n',
  'podlogs/ns-a/pod-1/main.log': 'hello\n',
};

/** SAMPLE_FILES' paths in the byte order pack and SHA256SUMS use (upper case before lower). */
export const SAMPLE_PATHS_SORTED = [
  'PRODUCT.yaml',
  'e2e.log',
  'junit.xml',
  'meta/run.json',
  'podlogs/ns-a/pod-1/main.log',
  'results.json',
];

/** A fresh key pair as `<dir>/<name>.key` (0600) and `<dir>/<name>.pub`. */
export async function writeKeyPair(dir: string, name: string): Promise<{ keyFile: string; pubFile: string }> {
  const pair = generateKeyPair();
  const keyFile = path.join(dir, `${name}.key`);
  const pubFile = path.join(dir, `${name}.pub`);
  await writeFile(keyFile, pair.privatePem, { mode: 0o600 });
  await writeFile(pubFile, pair.publicPem);
  return { keyFile, pubFile };
}

export interface SignedFixture {
  root: string;
  outputDir: string;
  bundleDir: string;
  keyFile: string;
  pubFile: string;
  results: RunResults;
  bundle: PackAndSignResult & { signature: string };
}

/** A temp folder with keys, an output folder and a signed bundle made by packAndSign. */
export async function signedFixture(files: Record<string, string | Buffer> = SAMPLE_FILES): Promise<SignedFixture> {
  const root = await tempDir();
  const outputDir = path.join(root, 'out');
  const bundleDir = path.join(root, 'bundles');
  await writeFiles(outputDir, files);
  const { keyFile, pubFile } = await writeKeyPair(root, 'vendor');
  const results = sampleResults();
  const bundle = await packAndSign(outputDir, results, { bundleDir, signKeyPath: keyFile });
  if (bundle.signature === undefined) throw new Error('fixture: packAndSign returned no signature');
  return { root, outputDir, bundleDir, keyFile, pubFile, results, bundle: { ...bundle, signature: bundle.signature } };
}
