/**
 * A parser for the Prometheus text exposition format (version 0.0.4), also reading what OpenMetrics
 * 1.0 text adds (`# EOF`, `# UNIT`, exemplars, quoted metric names). Strict like a Prometheus
 * scrape: one malformed line rejects the whole document, with its line number, so a probe can say
 * "this endpoint does not serve Prometheus text" instead of guessing.
 */

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** The series name as written: `DCGM_FI_DEV_GPU_UTIL`, `x_bucket`, `x_total`. */
  name: string;
  labels: Labels;
  value: number;
  /** The timestamp as written, when the line carries one (ms in 0.0.4, seconds in OpenMetrics). */
  timestamp?: number;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` per family name (`counter`, `gauge`, `histogram`, ...). */
  types: ReadonlyMap<string, string>;
  /** `# HELP` per family name, unescaped. */
  help: ReadonlyMap<string, string>;
}

export class ExpositionError extends Error {
  readonly line: number;
  constructor(line: number, problem: string) {
    super(`line ${String(line)}: ${problem}`);
    this.name = 'ExpositionError';
    this.line = line;
  }
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL_CHAR = /[a-zA-Z0-9_]/;
const METRIC_TYPES = new Set([
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
  'unknown',
  'info',
  'stateset',
  'gaugehistogram',
]);
// Suffixes that samples of a typed family add to the family name.
const FAMILY_SUFFIXES = ['_bucket', '_count', '_sum', '_total', '_created', '_info', '_gcount', '_gsum'];

/** Reads one line left to right; every read either advances or throws with the line's number. */
class LineReader {
  pos = 0;
  constructor(
    readonly text: string,
    readonly lineNo: number,
  ) {}

  fail(problem: string): never {
    throw new ExpositionError(
      this.lineNo,
      `${problem} (at column ${String(this.pos + 1)}: ${JSON.stringify(this.text.slice(0, 120))})`,
    );
  }
  peek(): string {
    return this.text.charAt(this.pos);
  }
  atEnd(): boolean {
    return this.pos >= this.text.length;
  }
  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos += 1;
  }
  expect(ch: string): void {
    if (this.peek() !== ch) this.fail(`expected ${JSON.stringify(ch)}`);
    this.pos += 1;
  }
  name(start: RegExp, rest: RegExp, what: string): string {
    const from = this.pos;
    if (!start.test(this.peek())) this.fail(`expected a ${what}`);
    this.pos += 1;
    while (!this.atEnd() && rest.test(this.peek())) this.pos += 1;
    return this.text.slice(from, this.pos);
  }
  /** A double-quoted string with the `\\`, `\"` and `\n` escapes. */
  quoted(): string {
    this.expect('"');
    let out = '';
    for (;;) {
      if (this.atEnd()) this.fail('unterminated quoted string');
      const ch = this.peek();
      this.pos += 1;
      if (ch === '"') return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const esc = this.peek();
      this.pos += 1;
      if (esc === 'n') out += '\n';
      else if (esc === '\\' || esc === '"') out += esc;
      else this.fail(`invalid escape \\${esc}`);
    }
  }
  /** The next run of non-blank characters. */
  token(): string {
    const from = this.pos;
    while (!this.atEnd() && this.peek() !== ' ' && this.peek() !== '\t') this.pos += 1;
    return this.text.slice(from, this.pos);
  }
}

/** `1`, `-2.5e3`, `+Inf`, `-Inf`, `NaN` (and Go's spellings `Inf`, `+inf`). */
export function parseSampleValue(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) && !/^[+-]?0x[0-9a-fA-F]+$/.test(text)) return undefined;
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** Labels inside `{...}`; the reader stands on `{`. A quoted first entry without `=` is the metric name (UTF-8 names). */
function readLabels(r: LineReader): { labels: Record<string, string>; quotedName?: string } {
  r.expect('{');
  const labels: Record<string, string> = {};
  let quotedName: string | undefined;
  r.skipSpaces();
  while (r.peek() !== '}') {
    let key: string;
    if (r.peek() === '"') {
      const q = r.quoted();
      r.skipSpaces();
      if (r.peek() !== '=') {
        if (quotedName !== undefined || Object.keys(labels).length > 0) r.fail('a quoted metric name must come first');
        quotedName = q;
        r.skipSpaces();
        if (r.peek() === ',') r.pos += 1;
        r.skipSpaces();
        continue;
      }
      key = q;
    } else {
      key = r.name(LABEL_START, LABEL_CHAR, 'label name');
    }
    r.skipSpaces();
    r.expect('=');
    r.skipSpaces();
    if (Object.hasOwn(labels, key)) r.fail(`duplicate label ${key}`);
    labels[key] = r.quoted();
    r.skipSpaces();
    if (r.peek() === ',') {
      r.pos += 1;
      r.skipSpaces();
    } else if (r.peek() !== '}') {
      r.fail('expected "," or "}" after a label');
    }
  }
  r.expect('}');
  return quotedName === undefined ? { labels } : { labels, quotedName };
}

function readSample(r: LineReader): Sample {
  let name = '';
  let labels: Record<string, string> = {};
  let blank = false;
  if (r.peek() !== '{') {
    name = r.name(NAME_START, NAME_CHAR, 'metric name');
    blank = r.peek() === ' ' || r.peek() === '\t';
    r.skipSpaces();
  }
  if (r.peek() === '{') {
    const read = readLabels(r);
    blank = true; // `}` ends the name part as a blank would
    labels = read.labels;
    if (read.quotedName !== undefined) {
      if (name !== '') r.fail('metric name given twice');
      name = read.quotedName;
    }
    r.skipSpaces();
  }
  if (name === '') r.fail('sample without a metric name');
  if (!blank || r.atEnd()) r.fail('expected a blank and a value after the metric name');
  const valueText = r.token();
  const value = parseSampleValue(valueText);
  if (value === undefined) r.fail(`invalid sample value ${JSON.stringify(valueText)}`);
  const sample: Sample = { name, labels, value };
  r.skipSpaces();
  if (!r.atEnd() && r.peek() !== '#') {
    const tsText = r.token();
    const ts = Number(tsText);
    if (tsText === '' || !Number.isFinite(ts)) r.fail(`invalid timestamp ${JSON.stringify(tsText)}`);
    sample.timestamp = ts;
    r.skipSpaces();
  }
  // An OpenMetrics exemplar (` # {trace_id="x"} 1.0`) annotates the sample; it is not a series.
  if (!r.atEnd() && r.peek() === '#') {
    r.pos += 1;
    r.skipSpaces();
    readLabels(r);
    r.skipSpaces();
    if (parseSampleValue(r.token()) === undefined) r.fail('invalid exemplar value');
    r.skipSpaces();
    if (!r.atEnd()) r.token();
    r.skipSpaces();
  }
  if (!r.atEnd()) r.fail('unexpected text after the sample');
  return sample;
}

/** Parses a whole exposition. Throws ExpositionError on the first malformed line. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const lines = text.split('\n');
  let ended = false;
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const lineNo = index + 1;
    if (line.trim() === '') return;
    if (ended) throw new ExpositionError(lineNo, 'text after # EOF');
    const r = new LineReader(line, lineNo);
    r.skipSpaces();
    if (r.peek() !== '#') {
      samples.push(readSample(r));
      return;
    }
    const parts = /^\s*#\s+(HELP|TYPE|UNIT)\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (parts === null) {
      if (/^\s*#\s*EOF\s*$/.test(line)) ended = true;
      return; // any other comment
    }
    const [, keyword, family = '', rest = ''] = parts;
    if (keyword === 'TYPE') {
      const type = rest.trim().toLowerCase();
      if (!METRIC_TYPES.has(type))
        throw new ExpositionError(lineNo, `unknown metric type ${JSON.stringify(rest.trim())} for ${family}`);
      types.set(family, type);
    } else if (keyword === 'HELP') {
      help.set(family, unescapeHelp(rest));
    }
  });
  return { samples, types, help };
}

/** The family a sample belongs to: its own name when typed, else the typed name without a sample suffix. */
export function familyOf(sampleName: string, types: ReadonlyMap<string, string>): string {
  if (types.has(sampleName)) return sampleName;
  for (const suffix of FAMILY_SUFFIXES) {
    if (sampleName.endsWith(suffix)) {
      const base = sampleName.slice(0, -suffix.length);
      if (types.has(base)) return base;
    }
  }
  return sampleName;
}

/** Samples grouped by series name, in first-seen order. */
export function samplesByName(samples: readonly Sample[]): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const s of samples) {
    const list = out.get(s.name);
    if (list === undefined) out.set(s.name, [s]);
    else list.push(s);
  }
  return out;
}
