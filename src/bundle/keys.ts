/**
 * ECDSA P-256 signing keys (research/ecosystem.md §4.2): PKCS#8 PEM private keys, optionally
 * encrypted, and SPKI PEM public keys byte-identical to `openssl ec -pubout` and cosign.pub.
 */

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';

export const DEFAULT_PASSPHRASE_ENV = 'AI_CONFORMANCE_KEY_PASSPHRASE';

/** OpenSSL's name for P-256, as Node reports it in asymmetricKeyDetails. */
const CURVE = 'prime256v1';

export interface GeneratedKeyPair {
  /** PKCS#8 PEM; `ENCRYPTED PRIVATE KEY` when a passphrase was given. */
  privatePem: string;
  /** SPKI PEM, 64-column base64. */
  publicPem: string;
  fingerprint: string;
  hint: string;
}

export interface PublicKeyInfo {
  key: KeyObject;
  /** `sha256:<hex of sha256(SPKI DER)>`, shown to humans. */
  fingerprint: string;
  /** base64(sha256(SPKI DER)), the Sigstore/cosign public-key hint. */
  hint: string;
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: PublicKeyInfo;
}

export function describePublicKey(key: KeyObject): PublicKeyInfo {
  const digest = createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest();
  return { key, fingerprint: `sha256:${digest.toString('hex')}`, hint: digest.toString('base64') };
}

/** A new P-256 pair. An empty or absent passphrase leaves the private key unencrypted. */
export function generateKeyPair(passphrase?: string): GeneratedKeyPair {
  const encrypt = passphrase !== undefined && passphrase !== '';
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: CURVE });
  const privatePem = privateKey.export(
    encrypt ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase } : { type: 'pkcs8', format: 'pem' },
  ) as string;
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const info = describePublicKey(publicKey);
  return { privatePem, publicPem, fingerprint: info.fingerprint, hint: info.hint };
}

async function readKeyFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${what} ${file} not found`);
    throw new UsageError(`${what} ${file}: cannot read (${(err as Error).message})`);
  }
}

function requireP256(key: KeyObject, file: string): void {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve !== CURVE) {
    const found = key.asymmetricKeyType === 'ec' ? `EC curve ${String(curve)}` : String(key.asymmetricKeyType);
    throw new UsageError(`${file}: expected an ECDSA P-256 (prime256v1) key, found ${found}`);
  }
}

/**
 * Loads a private key for signing. An encrypted key takes its passphrase from the environment
 * variable `passphraseEnv`, never from a flag, so it stays out of shell history and `ps`.
 */
export async function loadSigningKey(file: string, passphraseEnv = DEFAULT_PASSPHRASE_ENV): Promise<SigningKey> {
  const pem = await readKeyFile(file, 'signing key');
  if (!pem.includes('PRIVATE KEY-----')) {
    throw new UsageError(`${file}: not a PEM private key (expected "-----BEGIN PRIVATE KEY-----")`);
  }
  // PKCS#8 encryption, or the legacy OpenSSL header on a SEC1 `EC PRIVATE KEY`.
  const encrypted = pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || pem.includes('Proc-Type: 4,ENCRYPTED');
  const passphrase = process.env[passphraseEnv];
  if (encrypted && (passphrase === undefined || passphrase === '')) {
    throw new UsageError(`${file} is encrypted: set ${passphraseEnv} to its passphrase`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(encrypted ? { key: pem, format: 'pem', passphrase } : { key: pem, format: 'pem' });
  } catch (err) {
    if (encrypted) throw new UsageError(`${file}: wrong passphrase in ${passphraseEnv}`, { cause: err });
    throw new UsageError(`${file}: not a readable private key (${(err as Error).message})`, { cause: err });
  }
  requireP256(privateKey, file);
  return { privateKey, publicKey: describePublicKey(createPublicKey(privateKey)) };
}

/** `sha256:<64 hex>` (as keygen prints it) or the bare hex, any case → `sha256:<lower hex>`. */
export function normalizeFingerprint(text: string): string {
  const m = /^(?:sha256:)?([0-9a-f]{64})$/i.exec(text.trim());
  if (m?.[1] === undefined) {
    throw new UsageError(
      `--key-fingerprint ${JSON.stringify(text)}: expected sha256:<64 hex digits>, as \`ai-conformance keygen\` prints it`,
    );
  }
  return `sha256:${m[1].toLowerCase()}`;
}

/** Loads the public key a reviewer trusts. A private key is refused: it should never travel. */
export async function loadPublicKey(file: string): Promise<PublicKeyInfo> {
  return publicKeyFromPem(await readKeyFile(file, 'public key'), file);
}

/** A P-256 public key from PEM text; `file` names it in errors. */
export function publicKeyFromPem(pem: string, file: string): PublicKeyInfo {
  if (pem.includes('PRIVATE KEY-----')) throw new UsageError(`${file} is a private key; pass the public key (.pub)`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new UsageError(`${file}: not a PEM public key (${(err as Error).message})`, { cause: err });
  }
  requireP256(key, file);
  return describePublicKey(key);
}
