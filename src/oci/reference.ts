/**
 * OCI references as a kubelet reads `volumes[].image.reference` or `containers[].image`:
 * `[registry/]repository[:tag][@digest]`, with Docker Hub's defaults (`busybox` is
 * `docker.io/library/busybox:latest`). Parsing is pure; `registryBaseUrl` says where to send requests.
 */

export class ImageReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageReferenceError';
  }
}

export interface ImageReference {
  /** Host and optional port, as written (`docker.io` for Docker Hub). */
  registry: string;
  /** Repository path inside the registry: `library/busybox`, `aic/tiny-model`. */
  repository: string;
  /** Tag, when the reference names one (`latest` when it names neither tag nor digest). */
  tag?: string;
  /** `sha256:<hex>`, when the reference pins a digest. */
  digest?: string;
}

const DOCKER_HUB = 'docker.io';
// distribution/reference grammar, simplified: lower-case path components joined by separators.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[A-Za-z0-9=_-]{32,}$/;

function looksLikeRegistry(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

export function parseReference(text: string): ImageReference {
  const trimmed = text.trim();
  if (trimmed === '') throw new ImageReferenceError('empty image reference');
  let rest = trimmed;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new ImageReferenceError(`${trimmed}: "${digest}" is not a digest (algorithm:hex)`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new ImageReferenceError(`${trimmed}: "${tag}" is not a valid tag`);
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  const first = parts[0] ?? '';
  if (parts.length > 1 && looksLikeRegistry(first)) {
    registry = first;
    parts.shift();
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  for (const part of parts) {
    if (!COMPONENT.test(part)) {
      throw new ImageReferenceError(
        `${trimmed}: repository component "${part}" must be lower-case letters, digits and . _ -`,
      );
    }
  }
  const ref: ImageReference = { registry, repository: parts.join('/') };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (tag === undefined && digest === undefined) ref.tag = 'latest';
  return ref;
}

export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** What to ask the registry for: the digest when pinned, else the tag. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** Loopback registries speak plain HTTP, as container runtimes allow for localhost. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : (registry.split(':')[0] ?? '');
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** `https://registry-1.docker.io` for Docker Hub, `http://127.0.0.1:5000` for loopback, else `https://<registry>`. */
export function registryBaseUrl(registry: string): string {
  if (registry === DOCKER_HUB || registry === 'index.docker.io') return 'https://registry-1.docker.io';
  return `${isLoopbackRegistry(registry) ? 'http' : 'https'}://${registry}`;
}
