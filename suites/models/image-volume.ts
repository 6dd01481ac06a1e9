/**
 * Whether the API server takes a pod with an `image` volume as written. A server without the
 * ImageVolume feature (gate off, or older than v1.31) drops `volumes[].image` as an unknown or
 * disabled field, and the volume is then rejected for having no source: either way the answer
 * names the gate and what this server's version needs.
 */
import { httpStatus } from '../../src/kube/api-error.js';
import type { KubeObject } from '../../src/kube/objects.js';

interface VolumeLike {
  name?: string;
  image?: { reference?: string; pullPolicy?: string };
}

function volumesOf(pod: KubeObject | undefined): VolumeLike[] {
  const spec = pod?.['spec'] as { volumes?: VolumeLike[] } | undefined;
  return spec?.volumes ?? [];
}

/** The minor version from /version (`"36+"` → 36), or undefined when unreadable. */
export function serverMinor(minor: string | undefined): number | undefined {
  const n = Number.parseInt(minor ?? '', 10);
  return Number.isNaN(n) ? undefined : n;
}

/** What this server's version needs for image volumes (KEP-4639: alpha 1.31, beta off 1.33, on by default 1.35). */
export function imageVolumeGateHint(version: string, minor: number | undefined): string {
  if (minor === undefined)
    return `enable the ImageVolume feature gate on kube-apiserver and the kubelets (server ${version})`;
  if (minor < 31)
    return `Kubernetes ${version} has no image volume source: it came in v1.31 (feature gate ImageVolume)`;
  if (minor < 35) {
    const stage = minor < 33 ? 'alpha' : 'beta but off by default';
    return `the ImageVolume feature gate is ${stage} in ${version}: turn it on (--feature-gates=ImageVolume=true) on kube-apiserver and the kubelets`;
  }
  return `the ImageVolume feature gate is on by default since v1.35, so it was turned off on this ${version} cluster (--feature-gates=ImageVolume=false)`;
}

/** Undefined when the server kept the image volume of `sent` in what it returned; else what happened. */
export function droppedImageVolume(sent: KubeObject, returned: KubeObject): string | undefined {
  for (const want of volumesOf(sent).filter((v) => v.image !== undefined)) {
    const got = volumesOf(returned).find((v) => v.name === want.name);
    if (got?.image?.reference !== want.image?.reference) {
      return `the API server accepted the pod but dropped spec.volumes[${want.name ?? '?'}].image (it came back as ${JSON.stringify(got ?? null)})`;
    }
  }
  return undefined;
}

/** A create error that means "image volumes are not available": 422 on the volume, or 400 for an unknown field. */
export function imageVolumeRejection(err: unknown): string | undefined {
  const status = httpStatus(err);
  if (status !== 422 && status !== 400) return undefined;
  const body = (err as { body?: unknown }).body;
  let text = typeof body === 'string' ? body : JSON.stringify(body ?? '');
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: unknown };
    if (typeof parsed.message === 'string') text = parsed.message;
  } catch {
    // keep the raw text
  }
  if (!/spec\.volumes|volumes\[|unknown field "?image/.test(text)) return undefined;
  return `the API server rejected the pod's image volume (HTTP ${String(status)}: ${text.length > 300 ? `${text.slice(0, 299)}…` : text})`;
}
