/**
 * Live progress on the console: one line per finished test with its time, the probe's log lines,
 * a "still running" heartbeat when a test has been quiet for a while, and a spinner only on a TTY.
 */
import ora, { type Ora } from 'ora';
import pc from 'picocolors';

export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  heartbeatMs: number;
  /** Force plain output (no spinner, no colour) even on a TTY. */
  plain?: boolean;
}

export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly colors: ReturnType<typeof pc.createColors>;
  private spinner: Ora | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Tests running now, by name, with their start time (several with --parallel). */
  private readonly running = new Map<string, number>();
  private lastOutput = Date.now();
  private readonly heartbeatMs: number;

  constructor(options: ProgressOptions) {
    this.stream = options.stream;
    this.tty = options.plain !== true && options.stream.isTTY && process.env['CI'] === undefined;
    this.colors = pc.createColors(this.tty || process.env['FORCE_COLOR'] !== undefined);
    this.heartbeatMs = options.heartbeatMs;
  }

  get c(): ReturnType<typeof pc.createColors> {
    return this.colors;
  }

  line(text: string): void {
    this.spinner?.clear();
    this.stream.write(text + '\n');
    this.spinner?.render();
    this.lastOutput = Date.now();
  }

  testStarted(name: string): void {
    this.running.set(name, Date.now());
    this.lastOutput = Date.now();
    if (this.tty) {
      this.spinner ??= ora({ stream: this.stream, discardStdin: false });
      this.spinner.start(this.spinnerText());
    }
    this.heartbeat ??= setInterval(
      () => {
        this.beat();
      },
      Math.min(this.heartbeatMs, 5_000),
    ).unref();
  }

  private spinnerText(): string {
    const now = Date.now();
    return [...this.running].map(([name, started]) => `${name} (${formatSeconds(now - started)})`).join(', ');
  }

  private beat(): void {
    if (this.running.size === 0) return;
    if (this.spinner) this.spinner.text = this.spinnerText();
    if (Date.now() - this.lastOutput >= this.heartbeatMs) {
      this.line(this.colors.dim(`    … still running: ${this.spinnerText()}`));
    }
  }

  testFinished(symbol: 'pass' | 'fail' | 'skip' | 'error', name: string, ms: number, message?: string): void {
    this.running.delete(name);
    if (this.running.size === 0) this.spinner?.stop();
    const c = this.colors;
    const mark = { pass: c.green('✔'), fail: c.red('✖'), error: c.red('!'), skip: c.yellow('-') }[symbol];
    const word = this.tty ? mark : `[${symbol}]`;
    const time = symbol === 'skip' ? '' : ` (${formatSeconds(ms)})`;
    this.line(`${word} ${name}${time}`);
    if (message !== undefined && message !== '') {
      for (const l of message.split('\n')) this.line(`      ${symbol === 'skip' ? c.yellow(l) : c.red(l)}`);
    }
  }

  stop(): void {
    this.spinner?.stop();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
