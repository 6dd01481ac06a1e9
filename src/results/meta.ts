/**
 * meta/: the facts a reviewer needs beside the evidence files. run.json (RunInfo, the command line
 * with secrets removed, the Node version), profile.yaml (the resolved profile) and cluster.json
 * (the cluster fingerprint, opaque here). Deterministic text so the bundle's checksums are stable.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import type { RunInfo, RunResults } from './model.js';

export const META_DIR = 'meta';

export interface RunMeta {
  run: RunInfo;
  /** Command-line arguments after the script, secrets replaced by `REDACTED`. */
  argv: string[];
  node: string;
}

export interface MetaInput {
  profile?: unknown;
  cluster?: unknown;
  argv?: readonly string[];
}

export const REDACTED = 'REDACTED';

/** Flag names whose value is a secret. `--key vendor.pub` and `--kubeconfig` are paths, not secrets. */
const SECRET_FLAG = /token|passw(or)?d|secret|credential|api-?key|private-?key|auth/i;

/**
 * Removes secret values: `--token=x`, `--token x`, and `user:password@` in URLs. The flag names stay,
 * so a reviewer still sees how the run was invoked.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let redactNext = false;
  for (const arg of argv) {
    // A secret flag followed by another flag had no value (a boolean): nothing to hide.
    if (redactNext && !arg.startsWith('-')) {
      out.push(REDACTED);
      redactNext = false;
      continue;
    }
    redactNext = false;
    const flag = /^(--?[^=\s]+)(=(.*))?$/s.exec(arg);
    if (flag?.[1] !== undefined && SECRET_FLAG.test(flag[1])) {
      if (flag[2] === undefined) redactNext = true;
      out.push(flag[2] === undefined ? arg : `${flag[1]}=${REDACTED}`);
      continue;
    }
    out.push(arg.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, `$1${REDACTED}@`));
  }
  return out;
}

export function runMeta(results: RunResults, argv: readonly string[]): RunMeta {
  return { run: results.run, argv: redactArgv(argv), node: process.version };
}

/** Writes meta/run.json always, meta/profile.yaml and meta/cluster.json when given. Returns paths relative to outputDir. */
export async function writeMeta(outputDir: string, results: RunResults, input: MetaInput = {}): Promise<string[]> {
  const dir = path.join(outputDir, META_DIR);
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [['run.json', jsonText(runMeta(results, input.argv ?? process.argv.slice(2)))]];
  if (input.profile !== undefined) files.push(['profile.yaml', YAML.stringify(input.profile)]);
  if (input.cluster !== undefined) files.push(['cluster.json', jsonText(input.cluster)]);
  for (const [name, text] of files) await writeFile(path.join(dir, name), text);
  return files.map(([name]) => `${META_DIR}/${name}`);
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
