/**
 * Reading the signature side of a bundle: the Sigstore bundle JSON, its DSSE envelope, the
 * signature over PAE, and the in-toto Statement inside (research/ecosystem.md §4.3 steps 1-4).
 */

import { verify as verifySignature } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { VerificationError } from '../errors.js';
import type { PublicKeyInfo } from './keys.js';
import { BUNDLE_MEDIA_TYPE, PAYLOAD_TYPE, pae } from './sign.js';
import { PREDICATE_TYPE, STATEMENT_FIELDS, STATEMENT_TYPE, type Statement } from './statement.js';

export interface Envelope {
  /** The decoded payload: the exact bytes that were signed. */
  payload: Buffer;
  payloadType: string;
  /** DER ECDSA signature. */
  signature: Buffer;
  /** Public-key hint from verificationMaterial; '' when absent. */
  hint: string;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const HEX64 = /^[0-9a-f]{64}$/;

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

/** ECDSA P-256 / SHA-256 over PAE(payloadType, payload bytes), with the reviewer's key. */
export function envelopeVerifies(envelope: Envelope, key: PublicKeyInfo): boolean {
  try {
    return verifySignature('sha256', pae(envelope.payloadType, envelope.payload), key.key, envelope.signature);
  } catch {
    // Malformed DER makes OpenSSL throw instead of returning false; either way it does not verify.
    return false;
  }
}

/** Parses the signed payload bytes (never a re-serialization) and checks the Statement shape. */
export function parseStatement(payload: Buffer): Statement {
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

/**
 * Reads and checks the Sigstore bundle file. `defaulted` says the path was derived from the
 * tarball name, where a missing file most likely means the bundle was never signed.
 */
export async function readEnvelope(file: string, defaulted: boolean): Promise<Envelope> {
  return parseEnvelope(await readSignatureFile(file, defaulted), file);
}
