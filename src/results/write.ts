/**
 * Writes a run's evidence into the output folder: the three files the CNCF validator parses by
 * name, plus meta/. Pure file output from the Results model; nothing here talks to the cluster.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResults } from './model.js';
import { formatGoTestJson } from './gotest-json.js';
import { formatGoTestLog } from './gotest-log.js';
import { formatJUnit } from './junit.js';
import { writeMeta, type MetaInput } from './meta.js';

/** The exact names the CNCF validator (v1.37+) parses; renaming them turns parsing off. */
export const EVIDENCE_FILES = {
  junit: 'junit.xml',
  goTestJson: 'results.json',
  goTestLog: 'e2e.log',
} as const;

export type WriteOptions = MetaInput;

/** Returns the files written, relative to outputDir with `/` separators (the form SHA256SUMS lists). */
export async function writeResults(
  outputDir: string,
  results: RunResults,
  options: WriteOptions = {},
): Promise<string[]> {
  await mkdir(outputDir, { recursive: true });
  const evidence: [string, string][] = [
    [EVIDENCE_FILES.junit, formatJUnit(results)],
    [EVIDENCE_FILES.goTestJson, formatGoTestJson(results)],
    [EVIDENCE_FILES.goTestLog, formatGoTestLog(results)],
  ];
  for (const [name, text] of evidence) await writeFile(path.join(outputDir, name), text);
  const meta = await writeMeta(outputDir, results, options);
  return [...evidence.map(([name]) => name), ...meta];
}
