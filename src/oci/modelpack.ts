/**
 * The CNCF ModelPack format (modelpack/model-spec v1): an OCI image manifest with artifactType
 * `application/vnd.cncf.model.manifest.v1+json`, a model config blob, and one layer per file whose
 * path inside the model is the layer annotation `org.cncf.model.filepath`. Parsing, the files a
 * mount of the artifact must show, and building a small artifact for the test registry. Pure.
 */
import { isSha256Digest, sha256Digest } from './digest.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** Accept header for manifest GETs: single manifests first, indexes as a fallback. */
export const MANIFEST_ACCEPT = [OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST].join(', ');

export const MODEL_ARTIFACT_TYPE = 'application/vnd.cncf.model.manifest.v1+json';
export const MODEL_CONFIG = 'application/vnd.cncf.model.config.v1+json';
export const MODEL_WEIGHT_RAW = 'application/vnd.cncf.model.weight.v1.raw';
export const MODEL_WEIGHT_CONFIG_RAW = 'application/vnd.cncf.model.weight.config.v1.raw';
export const FILEPATH_ANNOTATION = 'org.cncf.model.filepath';
export const FILE_METADATA_ANNOTATION = 'org.cncf.model.file.metadata+json';
export const TITLE_ANNOTATION = 'org.opencontainers.image.title';
// Artifacts built before the spec moved from "cnai" to "cncf" names; still in registries.
const LEGACY_ARTIFACT_TYPE = 'application/vnd.cnai.model.manifest.v1+json';
const LEGACY_CONFIG = 'application/vnd.cnai.model.config.v1+json';
const LEGACY_FILEPATH_ANNOTATION = 'org.cnai.model.filepath';

export class ManifestFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestFormatError';
  }
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
  platform?: { os?: string; architecture?: string };
}

export interface Manifest {
  schemaVersion: number;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface Index {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
}

export type ManifestDocument = { kind: 'manifest'; manifest: Manifest } | { kind: 'index'; index: Index };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function descriptor(v: unknown, where: string): Descriptor {
  if (!isRecord(v)) throw new ManifestFormatError(`${where} is not a descriptor object`);
  const { mediaType, digest, size, annotations } = v;
  if (typeof mediaType !== 'string') throw new ManifestFormatError(`${where} has no mediaType`);
  if (typeof digest !== 'string' || !/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[A-Za-z0-9=_-]+$/.test(digest)) {
    throw new ManifestFormatError(`${where} has no valid digest`);
  }
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0)
    throw new ManifestFormatError(`${where} has no valid size`);
  const d: Descriptor = { mediaType, digest, size };
  if (isRecord(annotations)) {
    d.annotations = Object.fromEntries(
      Object.entries(annotations).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  }
  if (typeof v['artifactType'] === 'string') d.artifactType = v['artifactType'];
  if (isRecord(v['platform'])) d.platform = v['platform'];
  return d;
}

/** Parses a manifest or index as a registry returns it. `where` names it in errors. */
export function parseManifestDocument(text: string, where: string): ManifestDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ManifestFormatError(`${where} is not JSON: ${(err as Error).message}`);
  }
  if (!isRecord(json)) throw new ManifestFormatError(`${where} is not a JSON object`);
  if (json['schemaVersion'] !== 2)
    throw new ManifestFormatError(`${where} has schemaVersion ${String(json['schemaVersion'])}, not 2`);
  const mediaType = typeof json['mediaType'] === 'string' ? json['mediaType'] : undefined;
  if (Array.isArray(json['manifests'])) {
    const index: Index = {
      schemaVersion: 2,
      manifests: json['manifests'].map((m, i) => descriptor(m, `${where}: manifests[${String(i)}]`)),
    };
    if (mediaType !== undefined) index.mediaType = mediaType;
    return { kind: 'index', index };
  }
  if (!Array.isArray(json['layers'])) throw new ManifestFormatError(`${where} has neither layers nor manifests`);
  const manifest: Manifest = {
    schemaVersion: 2,
    config: descriptor(json['config'], `${where}: config`),
    layers: json['layers'].map((l, i) => descriptor(l, `${where}: layers[${String(i)}]`)),
  };
  if (mediaType !== undefined) manifest.mediaType = mediaType;
  if (typeof json['artifactType'] === 'string') manifest.artifactType = json['artifactType'];
  if (isRecord(json['annotations'])) manifest.annotations = json['annotations'] as Record<string, string>;
  return { kind: 'manifest', manifest };
}

/** The entry of an index to follow: a ModelPack manifest if one is marked, else linux/amd64, else the first. */
export function chooseFromIndex(index: Index): Descriptor | undefined {
  const m = index.manifests;
  return (
    m.find((d) => d.artifactType === MODEL_ARTIFACT_TYPE || d.artifactType === LEGACY_ARTIFACT_TYPE) ??
    m.find((d) => d.platform?.os === 'linux' && d.platform.architecture === 'amd64') ??
    m[0]
  );
}

export function isModelManifest(m: Manifest): boolean {
  const t = m.artifactType;
  const c = m.config.mediaType;
  return t === MODEL_ARTIFACT_TYPE || t === LEGACY_ARTIFACT_TYPE || c === MODEL_CONFIG || c === LEGACY_CONFIG;
}

export type LayerKind = 'weight' | 'weight.config' | 'doc' | 'code' | 'dataset';

/** `application/vnd.cncf.model.weight.v1.raw` → {kind: weight, packing: raw}; undefined for other media types. */
export function modelLayerType(mediaType: string): { kind: LayerKind; packing: string } | undefined {
  const m = /^application\/vnd\.(?:cncf|cnai)\.model\.(weight\.config|weight|doc|code|dataset)\.v1(?:\.(.+))?$/.exec(
    mediaType,
  );
  if (m === null) return undefined;
  return { kind: m[1] as LayerKind, packing: m[2] ?? 'raw' };
}

/** A file a mount of the artifact must show: where, and what the manifest says its content is. */
export interface ModelFile {
  /** Relative to the mount path: `weights.bin`, `tokenizer/config.json`. */
  path: string;
  mediaType: string;
  /** sha256 of the file's content; declared for raw (unarchived) layers only. */
  digest?: string;
  /** Size in bytes, where declared (raw layers; archives through the file metadata annotation). */
  size?: number;
}

function layerPath(layer: Descriptor, where: string): string | undefined {
  const a = layer.annotations ?? {};
  const raw = a[FILEPATH_ANNOTATION] ?? a[LEGACY_FILEPATH_ANNOTATION] ?? a[TITLE_ANNOTATION];
  if (raw === undefined || raw.trim() === '') return undefined;
  const path = raw.trim().replace(/^(\.\/|\/)+/, '');
  if (path.split('/').some((s) => s === '..') || path === '') {
    throw new ManifestFormatError(`${where}: file path "${raw}" leaves the model directory`);
  }
  return path;
}

function declaredSize(layer: Descriptor): number | undefined {
  const meta = layer.annotations?.[FILE_METADATA_ANNOTATION];
  if (meta === undefined) return undefined;
  try {
    const size = (JSON.parse(meta) as { size?: unknown }).size;
    return typeof size === 'number' && Number.isInteger(size) && size >= 0 ? size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The model files of a ModelPack manifest: one per model layer that names its path. A raw layer
 * IS the file, so its digest and size are the file's; an archive layer only promises a file at
 * that path (and its size, when the file metadata annotation gives one).
 */
export function modelFiles(manifest: Manifest, where = 'manifest'): ModelFile[] {
  const files: ModelFile[] = [];
  manifest.layers.forEach((layer, i) => {
    const type = modelLayerType(layer.mediaType);
    if (type === undefined) return;
    const path = layerPath(layer, `${where}: layers[${String(i)}]`);
    if (path === undefined) return;
    const file: ModelFile = { path, mediaType: layer.mediaType };
    if (type.packing === 'raw') {
      if (isSha256Digest(layer.digest)) file.digest = layer.digest;
      file.size = layer.size;
    } else {
      const size = declaredSize(layer);
      if (size !== undefined) file.size = size;
    }
    files.push(file);
  });
  return files;
}

/** True when at least one file comes from a weight layer: what makes the artifact a model. */
export function hasWeights(files: readonly ModelFile[]): boolean {
  return files.some((f) => modelLayerType(f.mediaType)?.kind === 'weight');
}

// ---- building (the test registry's artifact) ----

export interface ModelFileContent {
  path: string;
  mediaType: string;
  content: Uint8Array;
}

export interface Blob {
  digest: string;
  mediaType: string;
  data: Uint8Array;
}

export interface BuiltArtifact {
  manifest: Uint8Array;
  manifestDigest: string;
  config: Blob;
  layers: Blob[];
}

/**
 * A ModelPack artifact with one raw layer per file, in the given order. Deterministic: no
 * timestamps, keys in a fixed order, so the same files always give the same manifest digest.
 */
export function buildModelArtifact(
  files: readonly ModelFileContent[],
  descriptor: { name: string; version: string; family?: string },
  config: Record<string, unknown> = {},
): BuiltArtifact {
  const layers: Blob[] = files.map((f) => ({
    digest: sha256Digest(f.content),
    mediaType: f.mediaType,
    data: f.content,
  }));
  const configJson = {
    descriptor,
    config,
    modelfs: { type: 'layers', diffIds: layers.map((l) => l.digest) },
  };
  const configData = Buffer.from(JSON.stringify(configJson));
  const configBlob: Blob = { digest: sha256Digest(configData), mediaType: MODEL_CONFIG, data: configData };
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: MODEL_ARTIFACT_TYPE,
    config: { mediaType: MODEL_CONFIG, digest: configBlob.digest, size: configData.length },
    layers: files.map((f, i) => ({
      mediaType: f.mediaType,
      digest: layers[i]?.digest ?? '',
      size: f.content.length,
      // CRI-O names an artifact layer's file by its title, ModelPack by its filepath: give both.
      annotations: { [FILEPATH_ANNOTATION]: f.path, [TITLE_ANNOTATION]: f.path },
    })),
  };
  const manifestData = Buffer.from(JSON.stringify(manifest));
  return { manifest: manifestData, manifestDigest: sha256Digest(manifestData), config: configBlob, layers };
}
