/**
 * The deterministic `.tar.gz` of an output folder (research/ecosystem.md §5): SHA256SUMS first,
 * then every other file in byte order, portable headers, one fixed mtime. Packing the same folder
 * twice gives the same bytes (with the same Node/zlib), so a digest speaks only of content.
 */

import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { UsageError } from '../errors.js';
import { SUMS_FILE, sha256Bytes, sha256File, writeSums, type SumEntry } from './sums.js';

/** The mtime every entry gets; 1980-01-01 is also the earliest time a zip can hold. */
export const FIXED_MTIME = new Date('1980-01-01T00:00:00Z');

export interface PackedBundle {
  /** Absolute path of the tarball written. */
  tarball: string;
  /** sha256 hex of the tarball bytes. */
  sha256: string;
  /** sha256 hex of the SHA256SUMS file inside it. */
  sumsSha256: string;
  /** Files in the tarball besides SHA256SUMS, with their digests, in tarball order. */
  files: SumEntry[];
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `ai-conformance-<YYYYmmDDHHMM>-<runId>.tar.gz`, the time in UTC (the Sonobuoy snapshot convention). */
export function bundleFileName(date: Date, runId: string): string {
  if (Number.isNaN(date.getTime())) throw new UsageError('bundle name: invalid date');
  if (!RUN_ID.test(runId)) throw new UsageError(`bundle name: run id ${JSON.stringify(runId)} is not file-name safe`);
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp =
    String(date.getUTCFullYear()) +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes());
  return `ai-conformance-${stamp}-${runId}.tar.gz`;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Writes `<outputDir>/SHA256SUMS`, then packs the folder into `tarballPath`. The tarball is
 * written beside its final name and renamed, so a reader never sees half an archive.
 */
export async function packFolder(outputDir: string, tarballPath: string): Promise<PackedBundle> {
  const folder = path.resolve(outputDir);
  const tarball = path.resolve(tarballPath);
  if (isInside(tarball, folder)) {
    throw new UsageError(`bundle ${tarball} would be inside the folder it packs (${folder}); write it elsewhere`);
  }
  const { entries, content } = await writeSums(folder);
  await mkdir(path.dirname(tarball), { recursive: true });
  const partial = `${tarball}.partial`;
  try {
    await tar.create(
      {
        file: partial,
        cwd: folder,
        gzip: { level: 9 },
        portable: true,
        mtime: FIXED_MTIME,
        // Only the listed paths, in the listed order: directories are implied by file paths.
        noDirRecurse: true,
        strict: true,
      },
      [SUMS_FILE, ...entries.map((e) => e.path)],
    );
    await rename(partial, tarball);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return { tarball, sha256: await sha256File(tarball), sumsSha256: sha256Bytes(content), files: entries };
}
