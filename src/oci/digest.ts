/** Content digests as OCI writes them: `sha256:<64 hex>`. */
import { createHash } from 'node:crypto';

const SHA256 = /^sha256:[a-f0-9]{64}$/;

export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function isSha256Digest(text: string): boolean {
  return SHA256.test(text);
}

/** The hex part of a sha256 digest (what `sha256sum` prints). */
export function sha256Hex(digest: string): string {
  if (!isSha256Digest(digest)) throw new Error(`not a sha256 digest: ${digest}`);
  return digest.slice('sha256:'.length);
}
