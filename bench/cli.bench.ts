// Start-up cost of the compiled CLI: `--help` and `list --profile full`, each run 11 times as a
// fresh process (what a user or CI pays). Goal (issue 2): median under 400 ms. Needs `npm run build`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(cli)) {
  console.error(`${cli} not found: run npm run build first`);
  process.exit(2);
}

const RUNS = 11;
function measure(args: string[]): number[] {
  execFileSync(process.execPath, [cli, ...args], { stdio: 'ignore' }); // warm the file cache
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, [cli, ...args], { stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

for (const args of [['--help'], ['list', '--profile', 'full']]) {
  const t = measure(args);
  const median = t[Math.floor(t.length / 2)] ?? NaN;
  console.log(
    `ai-conformance ${args.join(' ').padEnd(22)} median ${median.toFixed(0)} ms  min ${(t[0] ?? NaN).toFixed(0)} ms  max ${(t[t.length - 1] ?? NaN).toFixed(0)} ms  (${String(RUNS)} runs, goal < 400 ms)`,
  );
}
