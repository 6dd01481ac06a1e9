// Wall time of GPU scheduling, DRA, gang scheduling and secure accelerator access on a live cluster,
// sequential vs --parallel 4, plus each probe's own time from results.json. Runs the compiled CLI
// (npm run build first) against $KUBECONFIG or the test cluster's kubeconfig.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEvidence } from '../test/integration/run-cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');
const kubeconfig = process.env['KUBECONFIG'] ?? path.join(os.homedir(), '.cache', 'ai-conformance', 'kubeconfig');
if (!existsSync(cli) || !existsSync(kubeconfig)) {
  console.error(`needs ${cli} (npm run build) and a cluster (${kubeconfig}; npm run cluster:up)`);
  process.exit(2);
}

function run(parallel: number): { seconds: number; perProbe: Map<string, number> } {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'aic-bench-')), 'out');
  const t0 = process.hrtime.bigint();
  const args = [cli, 'run', '--profile', path.join(root, 'bench', 'profiles', 'four-areas.yaml')];
  args.push('--kubeconfig', kubeconfig, '--output', out, '--parallel', String(parallel));
  execFileSync(process.execPath, args, { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const perProbe = new Map<string, number>();
  for (const e of readEvidence(out).events) {
    if (e.Test !== undefined && !e.Test.includes('/') && (e.Action === 'pass' || e.Action === 'fail')) {
      perProbe.set(e.Test, (e as { Elapsed?: number }).Elapsed ?? 0);
    }
  }
  return { seconds, perProbe };
}

const sequential = run(1);
const parallel = run(4);
for (const [test, s] of sequential.perProbe) console.log(`${test.padEnd(30)} ${s.toFixed(1)} s (sequential run)`);
console.log(`four areas, sequential:    ${sequential.seconds.toFixed(1)} s wall (whole CLI process)`);
console.log(`four areas, --parallel 4:  ${parallel.seconds.toFixed(1)} s wall (whole CLI process)`);
