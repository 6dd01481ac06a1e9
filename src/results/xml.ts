/**
 * A small XML reader for the evidence files we read back (junit.xml from us, gotestsum or
 * go-junit-report). Elements, attributes, text, CDATA, comments and character references; no
 * namespaces, DTDs or external entities, which no JUnit writer emits and a reader should not follow.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** 1-based line of the start tag. */
  line: number;
}

export type XmlNode = XmlElement | string;

export class XmlSyntaxError extends Error {
  readonly line: number;
  constructor(problem: string, line: number) {
    super(`line ${String(line)}: ${problem}`);
    this.name = 'XmlSyntaxError';
    this.line = line;
  }
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(parseInt(ref.slice(2), 16)) ?? whole;
    if (ref.startsWith('#')) return safeCodePoint(parseInt(ref.slice(1), 10)) ?? whole;
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

function safeCodePoint(n: number): string | undefined {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ATTR = /\s*([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"]*)"|'([^']*)')/y;

/** Parses a whole document and returns its root element. Throws XmlSyntaxError with a line number. */
export function parseXml(text: string): XmlElement {
  let pos = 0;
  // Offsets of every newline, so a line number is a binary search rather than a rescan.
  const newlines: number[] = [];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) newlines.push(i);
  const lineAt = (at: number): number => {
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((newlines[mid] ?? 0) < at) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  const fail = (problem: string, at = pos): never => {
    throw new XmlSyntaxError(problem, lineAt(at));
  };
  const skipPast = (marker: string, what: string): void => {
    const end = text.indexOf(marker, pos);
    if (end === -1) fail(`unterminated ${what}`);
    pos = end + marker.length;
  };

  const root: XmlElement = { name: '#document', attrs: {}, children: [], line: 1 };
  const stack: XmlElement[] = [root];
  const top = (): XmlElement => stack[stack.length - 1] ?? root;

  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    if (lt === -1 || lt > pos) {
      const end = lt === -1 ? text.length : lt;
      const raw = text.slice(pos, end);
      if (stack.length > 1) top().children.push(decodeEntities(raw));
      else if (raw.trim() !== '') fail('text outside the root element');
      pos = end;
      continue;
    }
    if (text.startsWith('<!--', pos)) skipPast('-->', 'comment');
    else if (text.startsWith('<![CDATA[', pos)) {
      const end = text.indexOf(']]>', pos);
      if (end === -1) fail('unterminated CDATA section');
      top().children.push(text.slice(pos + 9, end));
      pos = end + 3;
    } else if (text.startsWith('<?', pos)) skipPast('?>', 'processing instruction');
    else if (text.startsWith('<!', pos)) skipPast('>', 'declaration');
    else if (text.startsWith('</', pos)) {
      NAME.lastIndex = pos + 2;
      const name = NAME.exec(text)?.[0] ?? fail('bad end tag');
      const open = stack.pop();
      if (open === undefined || open === root || open.name !== name) {
        fail(`</${name}> does not close <${open?.name ?? '(nothing)'}>`);
      }
      pos = NAME.lastIndex;
      const gt = text.indexOf('>', pos);
      if (gt === -1 || text.slice(pos, gt).trim() !== '') fail(`bad end tag </${name}>`);
      pos = gt + 1;
    } else {
      const start = pos;
      NAME.lastIndex = pos + 1;
      const name = NAME.exec(text)?.[0] ?? fail('bad start tag');
      pos = NAME.lastIndex;
      const attrs: Record<string, string> = {};
      for (;;) {
        ATTR.lastIndex = pos;
        const m = ATTR.exec(text);
        if (m === null) break;
        attrs[m[1] ?? ''] = decodeEntities(m[3] ?? m[4] ?? '');
        pos = ATTR.lastIndex;
      }
      const close = /\s*(\/?)>/y;
      close.lastIndex = pos;
      const end = close.exec(text) ?? fail(`bad start tag <${name}>`);
      pos = close.lastIndex;
      if (stack.length === 1 && root.children.some((c) => typeof c !== 'string')) fail('a second root element', start);
      const element: XmlElement = { name, attrs, children: [], line: lineAt(start) };
      top().children.push(element);
      if (end[1] !== '/') stack.push(element);
    }
  }
  if (stack.length > 1) fail(`<${top().name}> is never closed`, text.length);
  const first = root.children.find((c): c is XmlElement => typeof c !== 'string');
  return first ?? fail('no root element');
}

/** Child elements with the given name. */
export function childElements(element: XmlElement, name?: string): XmlElement[] {
  return element.children.filter(
    (c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name),
  );
}

/** All text inside an element, CDATA included, in document order. */
export function textContent(element: XmlElement): string {
  return element.children.map((c) => (typeof c === 'string' ? c : textContent(c))).join('');
}
