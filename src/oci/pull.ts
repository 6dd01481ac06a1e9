/**
 * Reading an artifact from its registry: the manifest (following an index to one entry) and blobs,
 * each checked against the digest it was asked by, as a container runtime checks what it pulls.
 */
import { sha256Digest } from './digest.js';
import { chooseFromIndex, MANIFEST_ACCEPT, parseManifestDocument, type Manifest } from './modelpack.js';
import { formatReference, manifestReference, type ImageReference } from './reference.js';
import { RegistryClient, RegistryError } from './registry-client.js';

export interface PulledManifest {
  manifest: Manifest;
  /** Digest of the manifest bytes (the one followed, when the reference named an index). */
  digest: string;
}

function pullScope(ref: ImageReference): string {
  return `repository:${ref.repository}:pull`;
}

async function getManifest(
  client: RegistryClient,
  ref: ImageReference,
  reference: string,
): Promise<{ text: string; digest: string }> {
  const what = `GET manifest ${ref.repository}:${reference} from ${client.baseUrl}`;
  const res = await client.request('GET', `/v2/${ref.repository}/manifests/${reference}`, {
    headers: { Accept: MANIFEST_ACCEPT },
    scope: pullScope(ref),
  });
  const body = await client.expect(res, [200], what);
  const digest = sha256Digest(body);
  if (reference.startsWith('sha256:') && digest !== reference) {
    throw new RegistryError(`${what}: the registry sent content with digest ${digest}`, res.status);
  }
  return { text: Buffer.from(body).toString('utf8'), digest };
}

/** The manifest `ref` names. An index is followed to its ModelPack (or linux/amd64, or first) entry. */
export async function fetchManifest(
  ref: ImageReference,
  client = new RegistryClient(ref.registry),
): Promise<PulledManifest> {
  const name = formatReference(ref);
  const first = await getManifest(client, ref, manifestReference(ref));
  const doc = parseManifestDocument(first.text, `manifest of ${name}`);
  if (doc.kind === 'manifest') return { manifest: doc.manifest, digest: first.digest };
  const entry = chooseFromIndex(doc.index);
  if (entry === undefined) throw new RegistryError(`${name} is an empty index`, 200);
  const second = await getManifest(client, ref, entry.digest);
  const inner = parseManifestDocument(second.text, `manifest ${entry.digest} of ${name}`);
  if (inner.kind !== 'manifest') throw new RegistryError(`${name}: index entry ${entry.digest} is another index`, 200);
  return { manifest: inner.manifest, digest: second.digest };
}

/** One blob's bytes; throws when they do not hash to `digest`. */
export async function fetchBlob(
  ref: ImageReference,
  digest: string,
  client = new RegistryClient(ref.registry),
): Promise<Uint8Array> {
  const what = `GET blob ${digest} of ${ref.repository} from ${client.baseUrl}`;
  const res = await client.request('GET', `/v2/${ref.repository}/blobs/${digest}`, { scope: pullScope(ref) });
  const body = await client.expect(res, [200], what);
  const actual = sha256Digest(body);
  if (actual !== digest) throw new RegistryError(`${what}: content has digest ${actual}`, res.status);
  return body;
}
