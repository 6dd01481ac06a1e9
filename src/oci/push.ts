/**
 * Pushing an artifact with the OCI distribution API: each blob by a monolithic upload
 * (POST /v2/<name>/blobs/uploads/ → Location, then PUT <location>?digest=<digest> with the bytes),
 * skipped when a HEAD finds it already there; then the manifest by PUT /v2/<name>/manifests/<tag>.
 */
import type { BuiltArtifact, Blob } from './modelpack.js';
import { OCI_MANIFEST } from './modelpack.js';
import { formatReference, type ImageReference } from './reference.js';
import { RegistryClient, RegistryError } from './registry-client.js';

function pushScope(ref: ImageReference): string {
  return `repository:${ref.repository}:pull,push`;
}

/** The upload URL with the digest query added (the Location may already carry query parameters). */
export function uploadUrl(location: string, baseUrl: string, digest: string): string {
  const absolute =
    location.startsWith('http://') || location.startsWith('https://') ? location : `${baseUrl}${location}`;
  return `${absolute}${absolute.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

/** Uploads one blob unless the registry has it. Returns true when it was uploaded. */
export async function pushBlob(
  client: RegistryClient,
  ref: ImageReference,
  blob: Pick<Blob, 'digest' | 'data'>,
): Promise<boolean> {
  const scope = pushScope(ref);
  const head = await client.request('HEAD', `/v2/${ref.repository}/blobs/${blob.digest}`, { scope });
  await head.body?.cancel();
  if (head.status === 200) return false;
  const start = await client.request('POST', `/v2/${ref.repository}/blobs/uploads/`, { scope });
  await client.expect(start, [202], `start upload of ${blob.digest} to ${client.baseUrl}/${ref.repository}`);
  const location = start.headers.get('location');
  if (location === null)
    throw new RegistryError(`upload of ${blob.digest}: the registry gave no Location`, start.status);
  const put = await client.request('PUT', uploadUrl(location, client.baseUrl, blob.digest), {
    scope,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(blob.data.length) },
    body: blob.data,
  });
  await client.expect(put, [201], `upload of ${blob.digest} (${String(blob.data.length)} bytes)`);
  return true;
}

/** PUTs a manifest under `tag` (or its digest). Returns the digest the registry reports. */
export async function pushManifest(
  client: RegistryClient,
  ref: ImageReference,
  tag: string,
  manifest: Uint8Array,
  mediaType = OCI_MANIFEST,
): Promise<string | undefined> {
  const res = await client.request('PUT', `/v2/${ref.repository}/manifests/${tag}`, {
    scope: pushScope(ref),
    headers: { 'Content-Type': mediaType },
    body: manifest,
  });
  await client.expect(res, [201], `PUT manifest ${ref.repository}:${tag} to ${client.baseUrl}`);
  return res.headers.get('docker-content-digest') ?? undefined;
}

export interface PushResult {
  reference: string;
  digest: string;
  uploaded: number;
  skipped: number;
}

/** Pushes config, layers and manifest of a built artifact to `ref` (its tag, else its digest). */
export async function pushArtifact(
  ref: ImageReference,
  artifact: BuiltArtifact,
  client = new RegistryClient(ref.registry),
): Promise<PushResult> {
  let uploaded = 0;
  let skipped = 0;
  for (const blob of [artifact.config, ...artifact.layers]) {
    if (await pushBlob(client, ref, blob)) uploaded++;
    else skipped++;
  }
  const tag = ref.tag ?? artifact.manifestDigest;
  const reported = await pushManifest(client, ref, tag, artifact.manifest);
  if (reported !== undefined && reported !== artifact.manifestDigest) {
    throw new RegistryError(
      `${formatReference(ref)}: registry stored the manifest as ${reported}, expected ${artifact.manifestDigest}`,
      201,
    );
  }
  return { reference: formatReference({ ...ref, tag }), digest: artifact.manifestDigest, uploaded, skipped };
}
