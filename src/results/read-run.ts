/**
 * Reads a finished run back, from its output folder or from its `.tar.gz` bundle (streamed, nothing
 * extracted to disk): the evidence files, meta/, and the Results model rebuilt from junit.xml.
 * `product init` and `report` start here; neither needs the cluster.
 */

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { digestTarball } from '../bundle/tarball-digests.js';
import { UsageError } from '../errors.js';
import { META_DIR, type RunMeta } from './meta.js';
import type { RunResults } from './model.js';
import { parseJUnit, resultsFromJUnit } from './read-junit.js';
import { EVIDENCE_FILES } from './write.js';

/** What is read besides the evidence files. */
export const META_FILES = {
  run: `${META_DIR}/run.json`,
  cluster: `${META_DIR}/cluster.json`,
  profile: `${META_DIR}/profile.yaml`,
} as const;

const WANTED: readonly string[] = [...Object.values(EVIDENCE_FILES), ...Object.values(META_FILES)];

export interface RunEvidence {
  /** The folder or tarball as given. */
  source: string;
  kind: 'folder' | 'bundle';
  results: RunResults;
  /** meta/run.json, when present and readable. */
  meta?: RunMeta;
  /** meta/cluster.json (the cluster fingerprint), opaque here. */
  cluster?: unknown;
  /** Evidence and meta files found, by path relative to the run folder (`junit.xml`, `meta/run.json`). */
  files: Map<string, Buffer>;
  /** For a bundle: the tarball's sha256 and why it is not a plain archive, if it is not. */
  tarball?: { sha256: string; problems: string[] };
}

export async function readRunEvidence(source: string): Promise<RunEvidence> {
  const info = await stat(source).catch(() => undefined);
  if (info === undefined) throw new UsageError(`${source}: no such run folder or bundle`);
  const files = new Map<string, Buffer>();
  let tarball: RunEvidence['tarball'];
  if (info.isDirectory()) {
    for (const rel of WANTED) {
      const bytes = await readFile(path.join(source, rel)).catch(() => undefined);
      if (bytes !== undefined) files.set(rel, bytes);
    }
  } else {
    const scan = await digestTarball(source, { keep: (p) => WANTED.includes(p) });
    for (const [p, bytes] of scan.kept) files.set(p, bytes);
    tarball = { sha256: scan.sha256, problems: scan.problems };
    if (files.size === 0 && scan.problems.length > 0) {
      throw new UsageError(`${source}: not a readable bundle (${scan.problems.join('; ')})`);
    }
  }

  const junit = files.get(EVIDENCE_FILES.junit);
  if (junit === undefined) {
    throw new UsageError(
      `${source} has no ${EVIDENCE_FILES.junit}: give the output folder of \`ai-conformance run\` or its .tar.gz bundle`,
    );
  }
  const meta = parseJson(files.get(META_FILES.run), `${source}: ${META_FILES.run}`) as RunMeta | undefined;
  let report;
  try {
    report = parseJUnit(junit.toString('utf8'));
  } catch (err) {
    throw new UsageError(`${source}: ${EVIDENCE_FILES.junit} does not parse (${(err as Error).message})`, {
      cause: err,
    });
  }
  const cluster = parseJson(files.get(META_FILES.cluster), `${source}: ${META_FILES.cluster}`);
  return {
    source,
    kind: info.isDirectory() ? 'folder' : 'bundle',
    results: resultsFromJUnit(report, meta?.run),
    ...(meta === undefined ? {} : { meta }),
    ...(cluster === undefined ? {} : { cluster }),
    files,
    ...(tarball === undefined ? {} : { tarball }),
  };
}

function parseJson(bytes: Buffer | undefined, what: string): unknown {
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (err) {
    throw new UsageError(`${what} is not JSON (${(err as Error).message})`, { cause: err });
  }
}
