// Runs the real CLI (from source, through tsx) as a child process, the way a user or CI job does,
// and reads back what it wrote: exit code, console, and the go-test events of results.json.
// Probe tests use it because a spec file can be loaded only once per process (ESM cache).
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface GoEvent {
  Action: string;
  Test?: string;
  Output?: string;
  Package?: string;
}

export interface Evidence {
  events: GoEvent[];
  /** Final action (pass/fail/skip) per test name. */
  actions: Map<string, string>;
  /** Everything results.json says about one test, joined. */
  output: (test: string) => string;
}

/** The go-test events of an output folder's results.json (none when the run wrote nothing). */
export function readEvidence(dir: string): Evidence {
  const file = path.join(dir, 'results.json');
  const events = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as GoEvent)
    : [];
  const actions = new Map<string, string>();
  for (const e of events)
    if (e.Test !== undefined && ['pass', 'fail', 'skip'].includes(e.Action)) actions.set(e.Test, e.Action);
  const output = (test: string): string =>
    events
      .filter((e) => e.Test === test && e.Output !== undefined)
      .map((e) => e.Output)
      .join('');
  return { events, actions, output };
}

export interface CliRun extends Evidence {
  code: number;
  stdout: string;
  stderr: string;
  /** The --output folder (a fresh temp dir per run). */
  dir: string;
}

export function runCli(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    withOutput?: boolean;
    /** Called with the CLI's process once it is started (to signal it). */
    onSpawn?: (child: ChildProcess) => void;
  } = {},
): Promise<CliRun> {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'aic-cli-')), 'out');
  const full = [
    path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
    path.join(root, 'src', 'cli', 'main.ts'),
    ...args,
  ];
  if (options.withOutput !== false && args[0] === 'run') full.push('--output', dir);
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      full,
      {
        cwd: root,
        env: { ...process.env, CI: 'true', ...options.env },
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        const evidence = readEvidence(dir);
        resolve({ code, stdout, stderr, dir, ...evidence });
      },
    );
    options.onSpawn?.(child);
  });
}

/** Switches a broken variant of the test cluster on or off (test/cluster/variant). */
export function clusterVariant(name: string, state: 'on' | 'off'): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [path.join(root, 'test', 'cluster', 'variant'), name, state],
      { cwd: root, timeout: 180_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`test/cluster/variant ${name} ${state} failed: ${stderr || stdout}`));
        else resolve();
      },
    );
  });
}
