/**
 * Offline verification of a signed bundle, the recipe of research/ecosystem.md §4.3: bundle
 * shape, trusted key, DSSE signature over the decoded payload bytes, the Statement, then one
 * streamed pass over the tarball for its digest and every entry's digest (nothing is extracted).
 */

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, VerificationError } from '../errors.js';
import { envelopeVerifies, parseStatement, readEnvelope } from './envelope.js';
import { loadPublicKey, normalizeFingerprint, publicKeyFromPem, type PublicKeyInfo } from './keys.js';
import { SIGNER_KEY_FILE, signatureFileFor } from './sign.js';
import { PREDICATE_TYPE, type ResultsPredicate, type Statement } from './statement.js';
import { SUMS_FILE, compareSums, describeMismatch, parseSums } from './sums.js';
import { digestTarball } from './tarball-digests.js';

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
  /**
   * The reviewer's trusted public key: a PEM path, or one already loaded. Without it, `fingerprint`
   * is required and the key comes from the tarball (meta/signer.pub), trusted only if it has that
   * fingerprint.
   */
  key?: string | PublicKeyInfo;
  /** `sha256:<hex>` as keygen prints it: the key (given or from the tarball) must have it. */
  fingerprint?: string;
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

const short = (hex: string): string => `${hex.slice(0, 12)}…`;
const files = (n: number): string => `${String(n)} ${n === 1 ? 'file' : 'files'}`;

/** The signer's key from the tarball; its absence or a bad PEM is a failed check, not a usage error. */
function embeddedKey(pem: Buffer | undefined): PublicKeyInfo {
  if (pem === undefined) {
    throw new VerificationError(
      `key: the tarball has no ${SIGNER_KEY_FILE} (signed by an older ai-conformance?), so a fingerprint alone cannot verify it; ask for the public key and pass --key`,
    );
  }
  try {
    return publicKeyFromPem(pem.toString('utf8'), SIGNER_KEY_FILE);
  } catch (err) {
    throw new VerificationError(`key: ${(err as Error).message}`, { cause: err });
  }
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
  const expected = opts.fingerprint === undefined ? undefined : normalizeFingerprint(opts.fingerprint);
  if (opts.key === undefined && expected === undefined) {
    throw new UsageError(
      'give the trusted key: --key <vendor.pub>, or --key-fingerprint <sha256:…> as keygen printed it',
    );
  }
  const given = typeof opts.key === 'string' ? await loadPublicKey(opts.key) : opts.key;
  // One streamed pass over the tarball serves the embedded key and every digest.
  const scan = await digestTarball(tarball, { keep: (p) => given === undefined && p === SIGNER_KEY_FILE });

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

  const envelope = await run('bundle', async () => readEnvelope(signatureFile, opts.signature === undefined));
  pass('bundle', `Sigstore bundle v0.3 with one DSSE signature (${path.basename(signatureFile)})`);

  const key = await run('key', () => {
    const found = given ?? embeddedKey(scan.kept.get(SIGNER_KEY_FILE));
    const where = given === undefined ? `the tarball's ${SIGNER_KEY_FILE}` : 'the trusted key';
    if (expected !== undefined && found.fingerprint !== expected) {
      throw new VerificationError(
        `key: ${where} has fingerprint ${found.fingerprint}, not the ${expected} you were given`,
      );
    }
    return found;
  });
  if (given === undefined) pass('key', `${SIGNER_KEY_FILE} in the tarball has the fingerprint you were given`);
  else if (expected !== undefined) pass('key', `trusted key has the fingerprint you were given`);

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
    if (!envelopeVerifies(envelope, key)) {
      throw new VerificationError(
        `signature: does not verify with key ${key.fingerprint} (the statement or signature was changed, or it was signed by another key)`,
      );
    }
  });
  pass('signature', 'DSSE signature (ECDSA P-256, SHA-256) over the statement verifies');

  const statement = await run('statement', () => parseStatement(envelope.payload));
  pass('statement', `in-toto Statement v1, predicateType ${PREDICATE_TYPE}`);

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
  pass('archive', `tarball reads to the end: ${files(scan.entries.size)}, no links or paths outside it`);

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
  pass('files', `${files(fileCount)} in the tarball match ${SUMS_FILE}`);

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
