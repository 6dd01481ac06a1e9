/**
 * Offline verification of a signed bundle, the recipe of research/ecosystem.md §4.3: bundle
 * shape, trusted key, DSSE signature over the decoded payload bytes, the Statement, then one
 * streamed pass over the tarball for its digest and every entry's digest (nothing is extracted).
 */

import { createHash, verify as verifySignature } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { UsageError, VerificationError } from '../errors.js';
import { loadPublicKey, type PublicKeyInfo } from './keys.js';
import { BUNDLE_MEDIA_TYPE, PAYLOAD_TYPE, pae, signatureFileFor } from './sign.js';
import {
  PREDICATE_TYPE,
  STATEMENT_FIELDS,
  STATEMENT_TYPE,
  type ResultsPredicate,
  type Statement,
} from './statement.js';
import { SUMS_FILE, compareSums, describeMismatch, parseSums } from './sums.js';

export type CheckId = 'bundle' | 'key' | 'signature' | 'statement' | 'tarball' | 'archive' | 'sums' | 'files';

export interface Check {
  id: CheckId;
  ok: boolean;
  /** One line: what was checked and what was found. */
  detail: string;
}

export interface VerifyBundleOptions {
  /** The `.tar.gz`. */
  tarball: string;
  /** The reviewer's trusted public key: a PEM path, or one already loaded. Never taken from the bundle. */
  key: string | PublicKeyInfo;
  /** The Sigstore bundle; default `<tarball>.sigstore.json`. */
  signature?: string;
  /** Called as each check finishes, failed ones included, so a CLI can print progress. */
  onCheck?: (check: Check) => void;
}

export interface VerificationReport {
  tarball: string;
  signature: string;
  keyFingerprint: string;
  statement: Statement;
  predicate: ResultsPredicate;
  checks: Check[];
  /** Files in the tarball besides SHA256SUMS. */
  fileCount: number;
}

interface Envelope {
  payload: Buffer;
  payloadType: string;
  signature: Buffer;
  hint: string;
}

interface TarballScan {
  sha256: string;
  /** Entry path → sha256 hex, for every regular file. */
  entries: Map<string, string>;
  sums: Buffer | undefined;
  problems: string[];
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const short = (hex: string): string => `${hex.slice(0, 12)}…`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeBase64(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !BASE64.test(value)) throw new VerificationError(`${what} is not base64`);
  return Buffer.from(value, 'base64');
}

async function readSignatureFile(file: string, defaulted: boolean): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new VerificationError(`${file}: cannot read (${(err as Error).message})`);
    }
    if (!defaulted) throw new VerificationError(`signature ${file} not found`);
    throw new VerificationError(
      `${file} not found: the bundle is unsigned, or its signature was not copied beside it (pass --signature if it lives elsewhere)`,
    );
  }
}

function parseEnvelope(text: string, file: string): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new VerificationError(`${file}: not JSON`);
  }
  if (!isRecord(json)) throw new VerificationError(`${file}: not a Sigstore bundle`);
  if (json.mediaType !== BUNDLE_MEDIA_TYPE) {
    throw new VerificationError(`${file}: mediaType ${JSON.stringify(json.mediaType)}, expected ${BUNDLE_MEDIA_TYPE}`);
  }
  const env = json.dsseEnvelope;
  if (!isRecord(env))
    throw new VerificationError(`${file}: no dsseEnvelope (only DSSE bundles are produced by ai-conformance)`);
  if (env.payloadType !== PAYLOAD_TYPE) {
    throw new VerificationError(`${file}: payloadType ${JSON.stringify(env.payloadType)}, expected ${PAYLOAD_TYPE}`);
  }
  const sigs = env.signatures;
  if (!Array.isArray(sigs) || sigs.length !== 1 || !isRecord(sigs[0])) {
    throw new VerificationError(
      `${file}: expected exactly one DSSE signature, found ${Array.isArray(sigs) ? String(sigs.length) : 'none'}`,
    );
  }
  const material = json.verificationMaterial;
  const publicKey = isRecord(material) ? material.publicKey : undefined;
  const hint = isRecord(publicKey) && typeof publicKey.hint === 'string' ? publicKey.hint : '';
  return {
    payload: decodeBase64(env.payload, `${file}: dsseEnvelope.payload`),
    payloadType: env.payloadType,
    signature: decodeBase64(sigs[0].sig, `${file}: dsseEnvelope.signatures[0].sig`),
    hint,
  };
}

function checkSignature(envelope: Envelope, key: PublicKeyInfo): boolean {
  try {
    return verifySignature('sha256', pae(envelope.payloadType, envelope.payload), key.key, envelope.signature);
  } catch {
    // Malformed DER makes OpenSSL throw instead of returning false; either way it does not verify.
    return false;
  }
}

function parseStatement(payload: Buffer): Statement {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new VerificationError('statement: payload is not JSON');
  }
  if (!isRecord(json)) throw new VerificationError('statement: payload is not a JSON object');
  const extra = Object.keys(json).filter((k) => !(STATEMENT_FIELDS as readonly string[]).includes(k));
  if (extra.length > 0) throw new VerificationError(`statement: unexpected top-level field ${extra.join(', ')}`);
  if (json._type !== STATEMENT_TYPE)
    throw new VerificationError(`statement: _type ${JSON.stringify(json._type)}, expected ${STATEMENT_TYPE}`);
  if (json.predicateType !== PREDICATE_TYPE) {
    throw new VerificationError(
      `statement: predicateType ${JSON.stringify(json.predicateType)}, expected ${PREDICATE_TYPE}`,
    );
  }
  const subjects = json.subject;
  const wellFormed = (s: unknown): boolean =>
    isRecord(s) &&
    typeof s.name === 'string' &&
    isRecord(s.digest) &&
    typeof s.digest.sha256 === 'string' &&
    HEX64.test(s.digest.sha256);
  if (!Array.isArray(subjects) || !subjects.every(wellFormed)) {
    throw new VerificationError('statement: subject must be a list of {name, digest: {sha256}}');
  }
  const p = json.predicate;
  if (!isRecord(p) || typeof p.result !== 'string' || !isRecord(p.summary) || !isRecord(p.requirements)) {
    throw new VerificationError('statement: predicate lacks result, summary or requirements');
  }
  return json as unknown as Statement;
}

/** `./a/b` → `a/b`; absolute and `..` paths are refused (a tar extractor would put them elsewhere). */
function entryPath(raw: string): string | undefined {
  const p = raw.replace(/^(\.\/)+/, '');
  if (p === '' || p.startsWith('/') || p.split('/').includes('..')) return undefined;
  return p;
}

/** One pass over the file: the tarball digest and a digest per entry, all in memory. */
async function scanTarball(file: string): Promise<TarballScan> {
  const scan: TarballScan = { sha256: '', entries: new Map(), sums: undefined, problems: [] };
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
    const kept: Buffer[] = [];
    entry.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      if (p === SUMS_FILE) kept.push(chunk);
    });
    entry.on('end', () => {
      scan.entries.set(p, hash.digest('hex'));
      if (p === SUMS_FILE) scan.sums = Buffer.concat(kept);
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

/**
 * Verifies `tarball` against its Sigstore bundle and the caller's trusted key. Resolves with the
 * report when every check passes; otherwise throws VerificationError naming what did not match.
 */
export async function verifyBundle(opts: VerifyBundleOptions): Promise<VerificationReport> {
  const tarball = path.resolve(opts.tarball);
  const signatureFile = path.resolve(opts.signature ?? signatureFileFor(opts.tarball));
  const tarballStat = await stat(tarball).catch(() => undefined);
  if (tarballStat?.isFile() !== true) throw new UsageError(`bundle ${opts.tarball} not found`);
  const key = typeof opts.key === 'string' ? await loadPublicKey(opts.key) : opts.key;

  const checks: Check[] = [];
  const pass = (id: CheckId, detail: string): void => {
    const check = { id, ok: true, detail };
    checks.push(check);
    opts.onCheck?.(check);
  };
  // Runs one check: a VerificationError thrown inside is reported as a failed check, then rethrown.
  const run = async <T>(id: CheckId, body: () => T | Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (err) {
      if (err instanceof VerificationError) {
        const check = { id, ok: false, detail: err.message };
        checks.push(check);
        opts.onCheck?.(check);
      }
      throw err;
    }
  };

  const envelope = await run('bundle', async () =>
    parseEnvelope(await readSignatureFile(signatureFile, opts.signature === undefined), signatureFile),
  );
  pass('bundle', `Sigstore bundle v0.3 with one DSSE signature (${path.basename(signatureFile)})`);

  await run('key', () => {
    if (envelope.hint !== '' && envelope.hint !== key.hint) {
      throw new VerificationError(
        `key: the bundle was signed by another key (hint ${envelope.hint}); the trusted key ${key.fingerprint} has hint ${key.hint}`,
      );
    }
  });
  pass(
    'key',
    envelope.hint === ''
      ? `trusted key ${key.fingerprint} (bundle has no key hint)`
      : `trusted key ${key.fingerprint} matches the bundle's key hint`,
  );

  await run('signature', () => {
    if (!checkSignature(envelope, key)) {
      throw new VerificationError(
        `signature: does not verify with key ${key.fingerprint} (the statement or signature was changed, or it was signed by another key)`,
      );
    }
  });
  pass('signature', 'DSSE signature (ECDSA P-256, SHA-256) over the statement verifies');

  const statement = await run('statement', () => parseStatement(envelope.payload));
  pass('statement', `in-toto Statement v1, predicateType ${PREDICATE_TYPE}`);

  const scan = await scanTarball(tarball);
  const name = path.basename(tarball);
  const tarballSubject = await run('tarball', () => {
    const others = statement.subject.filter((s) => s.name !== SUMS_FILE);
    const subject = others.find((s) => s.name === name) ?? (others.length === 1 ? others[0] : undefined);
    if (subject === undefined) throw new VerificationError(`tarball: the statement has no subject named ${name}`);
    if (subject.digest.sha256 !== scan.sha256) {
      throw new VerificationError(
        `tarball ${name}: sha256 mismatch (statement says ${short(subject.digest.sha256)}, file has ${short(scan.sha256)})`,
      );
    }
    return subject;
  });
  const renamed = tarballSubject.name === name ? '' : ` (signed as ${tarballSubject.name})`;
  pass('tarball', `tarball sha256 ${short(scan.sha256)} matches the statement${renamed}`);

  // Unreadable, truncated, or holding links, traversal paths or duplicates: say so before any
  // digest comparison, whose mismatch would only be a symptom.
  await run('archive', () => {
    if (scan.problems.length > 0) throw new VerificationError(scan.problems.join('; '));
  });
  pass('archive', `tarball reads to the end: ${String(scan.entries.size)} regular files, no links or paths outside it`);

  await run('sums', () => {
    const subject = statement.subject.find((s) => s.name === SUMS_FILE);
    if (subject === undefined) throw new VerificationError(`${SUMS_FILE}: the statement has no subject for it`);
    const actual = scan.entries.get(SUMS_FILE);
    if (actual === undefined) throw new VerificationError(`${SUMS_FILE}: missing from the tarball`);
    if (actual !== subject.digest.sha256) {
      throw new VerificationError(
        `${SUMS_FILE}: sha256 mismatch (statement says ${short(subject.digest.sha256)}, tarball has ${short(actual)})`,
      );
    }
  });
  pass('sums', `${SUMS_FILE} sha256 ${short(scan.entries.get(SUMS_FILE) ?? '')} matches the statement`);

  const fileCount = scan.entries.size - 1;
  await run('files', () => {
    const mismatches = compareSums(parseSums((scan.sums ?? Buffer.alloc(0)).toString('utf8')), scan.entries);
    if (mismatches.length > 0) throw new VerificationError(mismatches.map((m) => describeMismatch(m)).join('; '));
  });
  pass('files', `${String(fileCount)} files in the tarball match ${SUMS_FILE}`);

  return {
    tarball,
    signature: signatureFile,
    keyFingerprint: key.fingerprint,
    statement,
    predicate: statement.predicate,
    checks,
    fileCount,
  };
}
