/**
 * Signing: a DSSE envelope around the Statement, in a Sigstore bundle v0.3 with public-key
 * material only (research/ecosystem.md §4.2). Verifiable offline by our verify, openssl,
 * @sigstore/verify, python cryptography and cosign (`--insecure-ignore-tlog`).
 */

import { sign } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResults } from '../results/model.js';
import { loadSigningKey, type SigningKey } from './keys.js';
import { bundleFileName, packFolder } from './pack.js';
import { buildStatement, serializeStatement, type Statement } from './statement.js';

export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const SIGNATURE_SUFFIX = '.sigstore.json';
/**
 * The signer's public key inside the tarball, so that a reviewer given only its fingerprint
 * (`verify --key-fingerprint`) can verify: the key is trusted because its fingerprint matches, and
 * it is covered by SHA256SUMS like every other file.
 */
export const SIGNER_KEY_FILE = 'meta/signer.pub';

export interface DsseSignature {
  /** Always empty: cosign skips a signature whose non-empty keyid is not its own SSH-style id. */
  keyid: '';
  /** base64 (standard, padded) of the DER ECDSA signature over PAE. */
  sig: string;
}

export interface SigstoreBundle {
  mediaType: typeof BUNDLE_MEDIA_TYPE;
  verificationMaterial: {
    publicKey: { hint: string };
    tlogEntries: [];
    timestampVerificationData: { rfc3161Timestamps: [] };
  };
  dsseEnvelope: {
    payload: string;
    payloadType: typeof PAYLOAD_TYPE;
    /** Exactly one: sigstore-go refuses an envelope in a bundle with more. */
    signatures: [DsseSignature];
  };
}

/** DSSE pre-authentication encoding: `DSSEv1 <len> <type> <len> <body>`, lengths in bytes. */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  const head = `DSSEv1 ${String(type.length)} ${payloadType} ${String(payload.length)} `;
  return Buffer.concat([Buffer.from(head, 'utf8'), payload]);
}

export function signatureFileFor(tarball: string): string {
  return `${tarball}${SIGNATURE_SUFFIX}`;
}

export function signStatement(statement: Statement, key: SigningKey): SigstoreBundle {
  const payload = serializeStatement(statement);
  // Node's ECDSA default dsaEncoding is DER, which Go, openssl and python verify; raw r||s they do not.
  const signature = sign('sha256', pae(PAYLOAD_TYPE, payload), key.privateKey);
  return {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: {
      publicKey: { hint: key.publicKey.hint },
      tlogEntries: [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: {
      payload: payload.toString('base64'),
      payloadType: PAYLOAD_TYPE,
      signatures: [{ keyid: '', sig: signature.toString('base64') }],
    },
  };
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const partial = `${file}.partial`;
  await writeFile(partial, content);
  await rename(partial, file);
}

export interface PackAndSignOptions {
  /** Where the tarball (and its signature) go; must not be inside the output folder. */
  bundleDir: string;
  /** Private key (PEM). Without it the bundle is written unsigned. */
  signKeyPath?: string;
  /** Environment variable holding the key's passphrase; default AI_CONFORMANCE_KEY_PASSPHRASE. */
  passphraseEnv?: string;
}

export interface PackAndSignResult {
  tarball: string;
  signature?: string;
  unsigned: boolean;
}

/**
 * The last step of a run, after every writer is done: SHA256SUMS, tarball, and (with a key) the
 * `<tarball>.sigstore.json` beside it. The key is loaded first so a bad key or passphrase fails
 * before anything is written.
 */
export async function packAndSign(
  outputDir: string,
  results: RunResults,
  opts: PackAndSignOptions,
): Promise<PackAndSignResult> {
  const key = opts.signKeyPath === undefined ? undefined : await loadSigningKey(opts.signKeyPath, opts.passphraseEnv);
  const name = bundleFileName(new Date(results.run.startedAt), results.run.runId);
  const signerKey = path.join(outputDir, SIGNER_KEY_FILE);
  if (key === undefined) await rm(signerKey, { force: true });
  else {
    await mkdir(path.dirname(signerKey), { recursive: true });
    await writeFile(signerKey, key.publicKey.key.export({ type: 'spki', format: 'pem' }));
  }
  const packed = await packFolder(outputDir, path.join(opts.bundleDir, name));
  const signatureFile = signatureFileFor(packed.tarball);
  if (key === undefined) {
    // A signature left from an earlier pack under the same name would not match this tarball.
    await rm(signatureFile, { force: true });
    return { tarball: packed.tarball, unsigned: true };
  }
  const statement = buildStatement(results, {
    tarball: { name, sha256: packed.sha256 },
    sumsSha256: packed.sumsSha256,
  });
  await writeAtomically(signatureFile, `${JSON.stringify(signStatement(statement, key), null, 2)}\n`);
  return { tarball: packed.tarball, signature: signatureFile, unsigned: false };
}
