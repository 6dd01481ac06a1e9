/**
 * Which files a mount of the model artifact must show, with which digests: from the parameter
 * modelDigests when given, else from the artifact's ModelPack manifest read from its registry.
 * A registry the test process cannot reach (or that wants credentials) with no digests given is
 * "not applicable here" (skip); a manifest that is there but is no model is a bad parameter (error).
 */
import { isSha256Digest } from '../../src/oci/digest.js';
import {
  hasWeights,
  isModelManifest,
  ManifestFormatError,
  modelFiles,
  type ModelFile,
} from '../../src/oci/modelpack.js';
import { fetchManifest } from '../../src/oci/pull.js';
import { formatReference, ImageReferenceError, parseReference } from '../../src/oci/reference.js';
import { RegistryError } from '../../src/oci/registry-client.js';
import { ProbeError } from '../../src/runner/probe.js';

export type ExpectedFiles = { files: ModelFile[]; source: string } | { skip: string };

/** `path=sha256:<hex>` entries of modelDigests → files; a malformed entry is a ProbeError naming it. */
export function parseModelDigests(entries: readonly string[]): ModelFile[] {
  return entries.map((entry) => {
    const eq = entry.lastIndexOf('=');
    const path = entry
      .slice(0, eq)
      .trim()
      .replace(/^(\.\/|\/)+/, '');
    const digest = entry.slice(eq + 1).trim();
    if (eq <= 0 || path === '' || !isSha256Digest(digest)) {
      throw new ProbeError(`modelDigests entry "${entry}" is not path=sha256:<64 hex digits>`);
    }
    return { path, mediaType: '', digest };
  });
}

/** What the manifest at `reference` promises; see the module comment for skip vs error. */
export async function expectedModelFiles(reference: string, digests: readonly string[]): Promise<ExpectedFiles> {
  if (digests.length > 0) return { files: parseModelDigests(digests), source: 'parameter modelDigests' };
  let ref;
  try {
    ref = parseReference(reference);
  } catch (err) {
    if (err instanceof ImageReferenceError) throw new ProbeError(`modelImage: ${err.message}`, { cause: err });
    throw err;
  }
  const name = formatReference(ref);
  let pulled;
  try {
    pulled = await fetchManifest(ref);
  } catch (err) {
    if (err instanceof RegistryError && err.unreachable) {
      return {
        skip: `the manifest of modelImage ${name} cannot be read from here (${err.message}) and parameter modelDigests is not set`,
      };
    }
    if (err instanceof RegistryError || err instanceof ManifestFormatError) {
      throw new ProbeError(`cannot read the manifest of modelImage ${name}: ${err.message}`, { cause: err });
    }
    throw err;
  }
  const m = pulled.manifest;
  if (!isModelManifest(m)) {
    throw new ProbeError(
      `modelImage ${name} is not a ModelPack model: artifactType ${m.artifactType ?? '(none)'}, config ${m.config.mediaType}`,
    );
  }
  let files: ModelFile[];
  try {
    files = modelFiles(m, `manifest of ${name}`);
  } catch (err) {
    if (err instanceof ManifestFormatError) throw new ProbeError(err.message, { cause: err });
    throw err;
  }
  if (!hasWeights(files)) {
    throw new ProbeError(`modelImage ${name} declares no weight layer with a file path (org.cncf.model.filepath)`);
  }
  return { files, source: `manifest ${pulled.digest} of ${name}` };
}
