/**
 * Verify speed on a ~20 MB bundle of incompressible data (worst case for gunzip and hashing).
 * Goal: median under 1 s. Run: npx tsx bench/verify.bench.ts
 */

import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { packAndSign } from '../src/bundle/sign.js';
import { verifyBundle } from '../src/bundle/verify.js';
import {
  SAMPLE_FILES,
  removeDir,
  sampleResults,
  tempDir,
  writeFiles,
  writeKeyPair,
} from '../test/unit/bundle/fixture.js';

const RUNS = 7;
const MIB = 1024 * 1024;
// 20 MiB spread unevenly over a few files, as pod logs would be.
const SIZES_MIB = [8, 6, 4, 2];

async function main(): Promise<void> {
  const root = await tempDir('aic-bench-');
  try {
    const out = path.join(root, 'out');
    const files: Record<string, string | Buffer> = { ...SAMPLE_FILES };
    SIZES_MIB.forEach((size, i) => (files[`podlogs/ns-${String(i)}/pod/main.log`] = randomBytes(size * MIB)));
    await writeFiles(out, files);
    const { keyFile, pubFile } = await writeKeyPair(root, 'bench');

    const packStart = performance.now();
    const bundle = await packAndSign(out, sampleResults('bench'), {
      bundleDir: path.join(root, 'bundles'),
      signKeyPath: keyFile,
    });
    const packMs = performance.now() - packStart;
    const size = (await stat(bundle.tarball)).size;

    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      await verifyBundle({ tarball: bundle.tarball, key: pubFile });
      times.push(performance.now() - start);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const ms = (n: number | undefined): string => `${(n ?? NaN).toFixed(1)} ms`;
    console.log(
      `bundle      ${(size / MIB).toFixed(1)} MiB, ${String(Object.keys(files).length)} files (node ${process.version})`,
    );
    console.log(`pack+sign   ${ms(packMs)}`);
    console.log(
      `verify x${String(RUNS)}   median ${ms(sorted[Math.floor(RUNS / 2)])}, min ${ms(sorted[0])}, max ${ms(sorted.at(-1))}`,
    );
    console.log(`runs        ${times.map((t) => t.toFixed(1)).join(', ')}`);
  } finally {
    await removeDir(root);
  }
}

await main();
