/**
 * One streamed pass over a `.tar.gz`: the digest of the file and of every entry, hashed in memory
 * as the entries go by, so a 20 MB bundle verifies without touching the disk.
 */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as tar from 'tar';
import { SUMS_FILE } from './sums.js';

export interface TarballDigests {
  /** sha256 hex of the whole file. */
  sha256: string;
  /** Entry path → sha256 hex, for every regular file. */
  entries: Map<string, string>;
  /** The bytes of the SHA256SUMS entry, when there is one. */
  sums: Buffer | undefined;
  /** Why the archive is not a plain list of files: unreadable, links, traversal, duplicates. */
  problems: string[];
  /** The bytes of the entries the caller asked to keep (`keep`), by entry path. */
  kept: Map<string, Buffer>;
}

export interface DigestOptions {
  /** Entries whose bytes to keep in memory besides hashing them (the report reads results this way). */
  keep?: (entryPath: string) => boolean;
}

/** `./a/b` → `a/b`; absolute and `..` paths are refused (a tar extractor would put them elsewhere). */
function entryPath(raw: string): string | undefined {
  const p = raw.replace(/^(\.\/)+/, '');
  if (p === '' || p.startsWith('/') || p.split('/').includes('..')) return undefined;
  return p;
}

/** One pass over the file: the tarball digest and a digest per entry, all in memory. */
export async function digestTarball(file: string, options: DigestOptions = {}): Promise<TarballDigests> {
  const scan: TarballDigests = { sha256: '', entries: new Map(), sums: undefined, problems: [], kept: new Map() };
  const onEntry = (entry: tar.ReadEntry): void => {
    const p = entryPath(entry.path);
    if (entry.type === 'Directory' && p !== undefined) {
      entry.resume();
      return;
    }
    if (p === undefined || !['File', 'OldFile', 'ContiguousFile'].includes(entry.type)) {
      scan.problems.push(`${entry.path}: unexpected ${entry.type} entry in the tarball`);
      // A bare Parser does not drain entries itself; an unread body would stall the stream.
      entry.resume();
      return;
    }
    if (scan.entries.has(p)) scan.problems.push(`${p}: appears twice in the tarball`);
    scan.entries.set(p, '');
    const hash = createHash('sha256');
    const keep = p === SUMS_FILE || options.keep?.(p) === true;
    const kept: Buffer[] = [];
    entry.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      if (keep) kept.push(chunk);
    });
    entry.on('end', () => {
      scan.entries.set(p, hash.digest('hex'));
      if (!keep) return;
      const bytes = Buffer.concat(kept);
      if (p === SUMS_FILE) scan.sums = bytes;
      if (options.keep?.(p) === true) scan.kept.set(p, bytes);
    });
  };
  const parser = new tar.Parser({
    onReadEntry: onEntry,
    onwarn: (_code, message) => scan.problems.push(`tarball: ${message}`),
  });
  // After an error (bad gzip, over the decompression limit) the parser stops; the file is still
  // read to the end for its digest, which is the more telling mismatch.
  const state = { failed: false };
  const done = new Promise<void>((resolve) => {
    parser.on('end', () => {
      resolve();
    });
    parser.on('error', (err: Error) => {
      state.failed = true;
      scan.problems.push(`tarball: not a readable .tar.gz (${err.message})`);
      resolve();
    });
  });
  const whole = createHash('sha256');
  // The parser and its gunzip work synchronously and every entry flows, so write() never needs
  // to wait for 'drain'; memory stays at one read chunk plus the entry being hashed.
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    whole.update(chunk as Buffer);
    if (!state.failed) parser.write(chunk as Buffer);
  }
  if (!state.failed) parser.end();
  await done;
  scan.sha256 = whole.digest('hex');
  return scan;
}
