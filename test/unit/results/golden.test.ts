/**
 * Byte-for-byte golden files for the fixed fixture. After an intended format change, regenerate
 * them with `UPDATE_GOLDEN=1 npx mocha --import=tsx test/unit/results/golden.test.ts` and review the diff.
 */

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { formatGoTestJson } from '../../../src/results/gotest-json.js';
import { formatGoTestLog } from '../../../src/results/gotest-log.js';
import { formatJUnit } from '../../../src/results/junit.js';
import type { RunResults } from '../../../src/results/model.js';
import { formatSummary } from '../../../src/results/summary.js';
import { fixture } from './fixture.js';

const GOLDEN_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

const goldens: [file: string, render: (r: RunResults) => string][] = [
  ['junit.xml', formatJUnit],
  ['results.json', formatGoTestJson],
  ['e2e.log', formatGoTestLog],
  ['summary.txt', (r) => formatSummary(r)],
  ['summary-color.txt', (r) => formatSummary(r, { color: true })],
];

describe('results writers: golden files', () => {
  for (const [file, render] of goldens) {
    it(`${file} matches golden/${file}`, async () => {
      const actual = render(fixture);
      const goldenPath = path.join(GOLDEN_DIR, file);
      if (update) await writeFile(goldenPath, actual);
      const expected = await readFile(goldenPath, 'utf8');
      expect(actual, `${file} differs from its golden; if intended, rerun with UPDATE_GOLDEN=1`).to.equal(expected);
    });
  }
});
