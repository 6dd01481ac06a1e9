/**
 * SHA256SUMS: the per-file digest list inside every bundle, in the format `sha256sum -c` reads
 * (`<64 hex>  <relative path>`, one line per file, sorted). The signed statement names only the
 * tarball and this file, so this list is what binds every pod log and report to the signature.
 */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, VerificationError } from '../errors.js';

export const SUMS_FILE = 'SHA256SUMS';

export interface SumEntry {
  /** Relative path with `/` separators, as it appears in the tarball. */
  path: string;
  /** 64 lowercase hex digits. */
  sha256: string;
}

export type SumsProblem = 'missing' | 'extra' | 'changed';

export interface SumsMismatch {
  path: string;
  problem: SumsProblem;
  /** Digest SHA256SUMS lists (missing, changed). */
  expected?: string;
  /** Digest actually found (extra, changed). */
  actual?: string;
}

/** Byte order, as `LC_ALL=C sort` gives: independent of locale and of readdir order. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Relative paths of every regular file under `folder` except SHA256SUMS itself, byte-sorted.
 * Symlinks and special files are refused rather than skipped, so nothing is silently left out.
 */
export async function listFiles(folder: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(relDir: string): Promise<void> {
    const entries = await readdir(path.join(folder, relDir), { withFileTypes: true });
    for (const entry of entries) {
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isDirectory()) await walk(rel);
      else if (entry.isFile()) found.push(rel);
      else throw new UsageError(`${path.join(folder, rel)}: only regular files can be bundled`);
    }
  }
  const stat = await lstat(folder).catch(() => undefined);
  if (stat?.isDirectory() !== true) throw new UsageError(`${folder}: not a folder`);
  await walk('');
  for (const rel of found) {
    // sha256sum escapes these with a leading backslash; refusing them keeps the format plain.
    if (/[\n\r\\]/.test(rel)) {
      throw new UsageError(`${path.join(folder, rel)}: file names with newlines or backslashes cannot be bundled`);
    }
  }
  return found.filter((rel) => rel !== SUMS_FILE).sort(compareBytes);
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function computeSums(folder: string): Promise<SumEntry[]> {
  const files = await listFiles(folder);
  const entries: SumEntry[] = [];
  for (const rel of files) entries.push({ path: rel, sha256: await sha256File(path.join(folder, rel)) });
  return entries;
}

export function formatSums(entries: readonly SumEntry[]): string {
  const sorted = [...entries].sort((a, b) => compareBytes(a.path, b.path));
  return sorted.map((e) => `${e.sha256}  ${e.path}\n`).join('');
}

/** Writes `<folder>/SHA256SUMS` for every other file in it and returns what it wrote. */
export async function writeSums(folder: string): Promise<{ entries: SumEntry[]; content: Buffer }> {
  const entries = await computeSums(folder);
  const content = Buffer.from(formatSums(entries), 'utf8');
  await writeFile(path.join(folder, SUMS_FILE), content);
  return { entries, content };
}

const SUM_LINE = /^([0-9a-fA-F]{64}) [ *](.+)$/;

/** Parses SHA256SUMS text; accepts text (`  `) and binary (` *`) mode lines as sha256sum does. */
export function parseSums(text: string): SumEntry[] {
  const entries: SumEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, i) => {
    const match = SUM_LINE.exec(line);
    if (match === null) throw new VerificationError(`${SUMS_FILE} line ${String(i + 1)}: not "<sha256>  <path>"`);
    const [, hex = '', rel = ''] = match;
    if (seen.has(rel)) throw new VerificationError(`${SUMS_FILE} line ${String(i + 1)}: ${rel} is listed twice`);
    seen.add(rel);
    entries.push({ path: rel, sha256: hex.toLowerCase() });
  });
  return entries;
}

/** Every difference between what SHA256SUMS lists and the files found, in path order. */
export function compareSums(listed: readonly SumEntry[], found: ReadonlyMap<string, string>): SumsMismatch[] {
  const problems: SumsMismatch[] = [];
  const listedPaths = new Set<string>();
  for (const { path: rel, sha256 } of listed) {
    listedPaths.add(rel);
    const actual = found.get(rel);
    if (actual === undefined) problems.push({ path: rel, problem: 'missing', expected: sha256 });
    else if (actual !== sha256) problems.push({ path: rel, problem: 'changed', expected: sha256, actual });
  }
  for (const [rel, actual] of found) {
    if (rel !== SUMS_FILE && !listedPaths.has(rel)) problems.push({ path: rel, problem: 'extra', actual });
  }
  return problems.sort((a, b) => compareBytes(a.path, b.path));
}

/** `results.json: sha256 mismatch (SHA256SUMS says ab12…, tarball has cd34…)` and the like. */
export function describeMismatch(m: SumsMismatch, where = 'tarball'): string {
  const short = (hex = ''): string => `${hex.slice(0, 12)}…`;
  switch (m.problem) {
    case 'missing':
      return `${m.path}: listed in ${SUMS_FILE} but missing from the ${where}`;
    case 'extra':
      return `${m.path}: in the ${where} but not listed in ${SUMS_FILE}`;
    case 'changed':
      return `${m.path}: sha256 mismatch (${SUMS_FILE} says ${short(m.expected)}, ${where} has ${short(m.actual)})`;
  }
}

/** `sha256sum -c` for a folder on disk: its SHA256SUMS against the files beside it. */
export async function checkSums(folder: string): Promise<SumsMismatch[]> {
  const text = await readFile(path.join(folder, SUMS_FILE), 'utf8').catch((err: unknown) => {
    throw new UsageError(`${path.join(folder, SUMS_FILE)}: cannot read (${(err as Error).message})`);
  });
  const found = new Map<string, string>();
  for (const rel of await listFiles(folder)) found.set(rel, await sha256File(path.join(folder, rel)));
  return compareSums(parseSums(text), found);
}
