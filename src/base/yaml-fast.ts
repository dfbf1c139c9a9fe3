// A fast reader of the plain YAML that manifests are mostly written in: block mappings and sequences, one-line
// plain and quoted scalars, literal block scalars (`|`, `|-`), one-line flow collections, comments. It gives the same values as the `yaml` package
// (YAML 1.2, core schema) for what it accepts, and gives up (undefined) on anything else, which the `yaml`
// package then reads: anchors, tags, folded and kept block scalars, multi-line plain and quoted scalars, escapes, directives, tabs, CRLF,
// white space other than the space (no-break spaces, BOMs, line separators), odd
// keys, duplicate keys, whatever it is unsure of. The `yaml` package builds a node tree with positions for every
// document, which costs about ten times as much, and positions are only needed when a document has a problem.

/** A document read: its value and the offset in the text where its content starts. */
export interface FastDocument {
  value: unknown;
  offset: number;
  /** 1-based line and column of that offset. */
  line: number;
  column: number;
}

class Unsupported extends Error {}
const GIVE_UP = new Unsupported();

interface Line {
  indent: number;
  /** The text after the indentation. */
  text: string;
  /** Offset of the line's first character in the whole text. */
  start: number;
  /** 1-based. */
  line: number;
  /** Index of the line in the text's lines. */
  raw: number;
}

const NULL_RE = /^(?:~|[Nn]ull|NULL)?$/;
const TRUE_RE = /^(?:[Tt]rue|TRUE)$/;
const FALSE_RE = /^(?:[Ff]alse|FALSE)$/;
const INT_RE = /^[-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/**
 * White space of JavaScript's trim and \s other than the space and the line feed: tabs, CR, the byte-order mark,
 * no-break and other Unicode spaces, line and paragraph separators. YAML's white space is the space and the tab
 * alone, so a no-break space is text to the `yaml` package, where trimming would take it for indentation or
 * trailing space; with none of these in the text, every trim below removes spaces only, and the space is the only
 * white space a line holds.
 */
const OTHER_WHITESPACE = /[^\S \n]/;

const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;
/** Where a plain scalar could be anything but a string: numbers, .inf, .nan, hex, octal, exponents. */
const NUMERIC_START = new Set([...'-+.0123456789'].map((c) => c.charCodeAt(0)));
/** Characters that make a plain scalar something else, or need rules this reader does not implement. */
const INDICATOR_START = new Set([...'-?:,[]{}#&*!|>\'"%@`'].map((c) => c.charCodeAt(0)));

function plainValue(text: string): unknown {
  if (text === '') return null;
  // Which of the core schema's rules can apply is told by the first character: most values are strings.
  const first = text.charCodeAt(0);
  switch (text[0]) {
    case '~':
    case 'n':
    case 'N':
      if (NULL_RE.test(text)) return null;
      break;
    case 't':
    case 'T':
      if (TRUE_RE.test(text)) return true;
      break;
    case 'f':
    case 'F':
      if (FALSE_RE.test(text)) return false;
      break;
  }
  if (NUMERIC_START.has(first)) {
    if (INT_RE.test(text)) return parseInt(text, 10);
    if (FLOAT_RE.test(text)) return parseFloat(text);
    throw GIVE_UP;
  }
  if (INDICATOR_START.has(first)) throw GIVE_UP;
  return shared(text);
}

/**
 * One string for each short text read as a value: manifests repeat the same values (kinds, types, project keys,
 * names of steps) in every document, and the documents are kept for the run. Bounded, as the values are the
 * manifests' to choose.
 */
const sharedValues = new Map<string, string>();
const MAX_SHARED_VALUES = 50_000;
const MAX_SHARED_LENGTH = 40;

function shared(text: string): string {
  if (text.length > MAX_SHARED_LENGTH) return text;
  const known = sharedValues.get(text);
  if (known !== undefined) return known;
  if (sharedValues.size >= MAX_SHARED_VALUES) sharedValues.clear();
  sharedValues.set(text, text);
  return text;
}

/** A key as the `yaml` package turns it into a property name; only keys that read as the same string. */
function keyName(text: string): string {
  if (text === '<<') throw GIVE_UP;
  // An integer key is named by its number: past 2^53 that is another number (9007199254740993 names
  // "9007199254740992", 10^21 names "1e+21").
  const first = text.charCodeAt(0);
  if (first >= 48 && first <= 57 && /^(?:0|[1-9][0-9]*)$/.test(text)) {
    if (String(Number(text)) !== text) throw GIVE_UP;
    return text;
  }
  const value = plainValue(text);
  if (typeof value !== 'string') throw GIVE_UP;
  return value;
}

/**
 * keyName of the plain keys read, by their text. Manifests repeat the same few keys in every document: the name
 * given for a key is one string, which the objects it names share (and which is turned into a property name once).
 */
const plainKeyNames = new Map<string, string>();
const MAX_PLAIN_KEY_NAMES = 10_000;

function plainKeyName(text: string): string {
  let name = plainKeyNames.get(text);
  if (name === undefined) {
    name = keyName(text);
    if (plainKeyNames.size >= MAX_PLAIN_KEY_NAMES) plainKeyNames.clear();
    plainKeyNames.set(text, name);
  }
  return name;
}

/**
 * Gives up on a key that a mapping may not simply be given: one it holds already (the `yaml` package's error), and
 * `__proto__`, plain or quoted, which would set the object's prototype where the `yaml` package defines an own
 * property.
 */
function checkNewKey(out: Record<string, unknown>, key: string): void {
  if (key === '__proto__' || Object.hasOwn(out, key)) throw GIVE_UP;
}

/** A quoted scalar starting at `text[at]`; returns the string and the index after the closing quote. */
function quoted(text: string, at: number): [string, number] {
  const quote = text[at];
  if (quote === "'") {
    let out = '';
    let i = at + 1;
    for (;;) {
      const close = text.indexOf("'", i);
      if (close < 0) throw GIVE_UP;
      out += text.slice(i, close);
      if (text[close + 1] === "'") {
        out += "'";
        i = close + 2;
      } else {
        return [out, close + 1];
      }
    }
  }
  const close = text.indexOf('"', at + 1);
  if (close < 0) throw GIVE_UP;
  const out = text.slice(at + 1, close);
  if (out.includes('\\')) throw GIVE_UP;
  return [out, close + 1];
}

/** What may follow a value on its line: nothing, or a comment after at least one space. */
function checkRest(text: string, at: number): void {
  if (at === text.length) return;
  const rest = text.slice(at);
  const trimmed = rest.trimStart();
  if (trimmed === '') return;
  if (trimmed[0] === '#' && trimmed.length < rest.length) return;
  throw GIVE_UP;
}

/** A plain scalar of block context, up to a comment. */
function blockPlain(text: string): string {
  const comment = text.indexOf(' #');
  const body = (comment < 0 ? text : text.slice(0, comment)).trimEnd();
  if (body.includes(': ') || body.endsWith(':') || body.includes('\t')) throw GIVE_UP;
  return body;
}

/**
 * The deepest nesting of collections read. The `yaml` package composes nodes recursively and reports a text nested
 * deeper than its stack allows as an error (at about 800 levels from a shallow stack, fewer from a deeper one), and
 * this reader's recursion would end in a stack overflow; manifests nest a dozen levels.
 */
const DEEPEST = 100;

/** Counts a collection entered `depth` levels deep; gives up past DEEPEST. */
function deeper(depth: number): number {
  if (depth >= DEEPEST) throw GIVE_UP;
  return depth + 1;
}

/** A value written on the line of its key or dash (`depth` collections deep): scalar, quoted scalar or flow collection. */
function inlineValue(text: string, depth: number): unknown {
  const first = text[0];
  if (first === "'" || first === '"') {
    const [value, end] = quoted(text, 0);
    checkRest(text, end);
    return shared(value);
  }
  if (first === '[' || first === '{') {
    const flow = new FlowReader(text, depth);
    const value = flow.value();
    checkRest(text, flow.at);
    return value;
  }
  if (first === '#') return null;
  return plainValue(blockPlain(text));
}

/**
 * The items of an array built by pushing, in an array of their number: pushing leaves room for more (an array of
 * one item holds 17 places), and the documents read are kept for the whole run.
 */
function fitted(items: unknown[]): unknown[] {
  return items.slice();
}

/** One-line flow collections of plain and quoted scalars, nested. */
class FlowReader {
  at = 0;
  constructor(
    private readonly text: string,
    private depth: number,
  ) {}

  private skipSpaces(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  value(): unknown {
    this.skipSpaces();
    const c = this.text[this.at];
    if (c === '[' || c === '{') {
      const outer = this.depth;
      this.depth = deeper(outer);
      const value = c === '[' ? this.sequence() : this.mapping();
      this.depth = outer;
      return value;
    }
    if (c === "'" || c === '"') {
      const [value, end] = quoted(this.text, this.at);
      this.at = end;
      return value;
    }
    return plainValue(this.plain());
  }

  private plain(): string {
    const start = this.at;
    while (this.at < this.text.length && !',[]{}#'.includes(this.text[this.at] as string)) this.at++;
    const body = this.text.slice(start, this.at).trimEnd();
    if (body === '' || body.includes(':') || body.includes('\t')) throw GIVE_UP;
    return body;
  }

  private expect(c: string): void {
    this.skipSpaces();
    if (this.text[this.at] !== c) throw GIVE_UP;
    this.at++;
  }

  /** After an item: `,` then another item, or the closing bracket. */
  private next(close: string): boolean {
    this.skipSpaces();
    const c = this.text[this.at];
    this.at++;
    if (c === close) return false;
    if (c !== ',') throw GIVE_UP;
    this.skipSpaces();
    // A trailing comma, or an empty item: rules this reader leaves to the `yaml` package.
    if (this.text[this.at] === close || this.text[this.at] === ',') throw GIVE_UP;
    return true;
  }

  private sequence(): unknown[] {
    this.at++;
    this.skipSpaces();
    const out: unknown[] = [];
    if (this.text[this.at] === ']') {
      this.at++;
      return out;
    }
    do out.push(this.value());
    while (this.next(']'));
    return fitted(out);
  }

  private mapping(): Record<string, unknown> {
    this.at++;
    this.skipSpaces();
    const out: Record<string, unknown> = {};
    if (this.text[this.at] === '}') {
      this.at++;
      return out;
    }
    do {
      this.skipSpaces();
      const c = this.text[this.at];
      let key: string;
      if (c === "'" || c === '"') {
        const [value, end] = quoted(this.text, this.at);
        this.at = end;
        key = value;
      } else {
        const end = plainKeyEnd(this.text, this.at);
        if (end < 0) throw GIVE_UP;
        key = plainKeyName(this.text.slice(this.at, end));
        this.at = end;
      }
      // `key: value` only: adjacent values, implicit nulls and keys without values are left to the `yaml` package.
      if (this.text[this.at] !== ':' || this.text[this.at + 1] !== ' ') throw GIVE_UP;
      this.at += 1;
      checkNewKey(out, key);
      out[key] = this.value();
    } while (this.next('}'));
    return out;
  }
}

/**
 * A mapping key written plainly is a letter, a digit, `_`, `$`, `.` or `/`, then anything but spaces, `:`, `#`,
 * `,`, brackets and braces. Whether a character may start one:
 */
function isPlainKeyStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 46 && c <= 57) || c === 95 || c === 36;
}

/** The ASCII characters in `chars`, as a table indexed by character code. */
function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const c of chars) table[c.charCodeAt(0)] = 1;
  return table;
}

/** Characters that end a plain key (in a text whose only white space is the space). */
const KEY_END = charTable(' :#,[]{}');

/** The end of the plain key that starts at `text[at]`, or -1 when none starts there. */
function plainKeyEnd(text: string, at: number): number {
  if (!isPlainKeyStart(text.charCodeAt(at))) return -1;
  let end = at + 1;
  for (; end < text.length; end++) {
    const c = text.charCodeAt(end);
    if (c < 128 && KEY_END[c] === 1) break;
  }
  return end;
}

interface Entry {
  key: string;
  rest: string;
}

/** Splits `key: rest` (or `key:`); undefined when the text is not a mapping entry. */
function entryOf(text: string): Entry | undefined {
  let key: string;
  let end: number;
  const c = text[0];
  const isQuoted = c === "'" || c === '"';
  if (isQuoted) {
    [key, end] = quoted(text, 0);
  } else {
    end = plainKeyEnd(text, 0);
    if (end < 0) return undefined;
    key = '';
  }
  if (text.charCodeAt(end) !== COLON) {
    if (isQuoted) throw GIVE_UP;
    return undefined;
  }
  // The yaml package refuses an implicit key whose `:` is more than 1024 characters after its start.
  if (end > 1024) throw GIVE_UP;
  if (end + 1 < text.length && text.charCodeAt(end + 1) !== SPACE) return undefined;
  const name = isQuoted ? key : plainKeyName(text.slice(0, end));
  let restAt = end + 1;
  while (text.charCodeAt(restAt) === SPACE) restAt++;
  return { key: name, rest: restAt >= text.length ? '' : text.slice(restAt) };
}

const isDash = (text: string): boolean => text.charCodeAt(0) === DASH && (text.length === 1 || text.charCodeAt(1) === SPACE);

const isBlank = (text: string): boolean => text.trim() === '';

/** The block structure of one document's content lines (`text`: the whole text, whose lines block scalars read). */
class BlockReader {
  i = 0;
  /** Collections entered and not yet ended. */
  private depth = 0;
  /** Every line of the text, split when a block scalar needs them. */
  private rawLines: string[] | undefined;
  constructor(
    private readonly lines: Line[],
    private readonly text: string,
  ) {}

  /**
   * A value written after a key or dash on line `raw`: a literal block scalar (`|` keeps one final line break,
   * `|-` none), whose lines follow, indented more than `indent`; or a one-line value.
   */
  private valueAfter(indent: number, raw: number, rest: string): unknown {
    if (rest !== '|' && rest !== '|-') {
      const value = inlineValue(rest, this.depth);
      this.ended(indent);
      return value;
    }
    this.rawLines ??= this.text.split('\n');
    const rawLines = this.rawLines;
    const body: string[] = [];
    let contentIndent: number | undefined;
    let r = raw + 1;
    for (; r < rawLines.length; r++) {
      const text = rawLines[r] as string;
      if (isBlank(text)) {
        // Spaces on an empty line are content past the indentation, and decide it before the first text line.
        if (text.length > 0 && (contentIndent === undefined || text.length > contentIndent)) throw GIVE_UP;
        body.push('');
        continue;
      }
      const lineIndent = text.length - text.trimStart().length;
      if (lineIndent <= indent) break;
      contentIndent ??= lineIndent;
      if (lineIndent < contentIndent) throw GIVE_UP;
      body.push(text.slice(contentIndent));
    }
    while (body.length > 0 && body[body.length - 1] === '') body.pop();
    // The text lines read (comments among them are text here) are not content lines of the mapping.
    while (this.i < this.lines.length && (this.lines[this.i] as Line).raw < r) this.i++;
    if (body.length === 0) return '';
    return rest === '|' ? `${body.join('\n')}\n` : body.join('\n');
  }

  private peek(): Line | undefined {
    return this.lines[this.i];
  }

  /** A block node whose first line is the next one, at exactly `indent`. */
  node(indent: number): unknown {
    const line = this.peek();
    if (!line || line.indent !== indent) throw GIVE_UP;
    if (isDash(line.text)) return this.sequence(indent);
    const entry = entryOf(line.text);
    if (entry) return this.mapping(indent, entry);
    throw GIVE_UP;
  }

  /** The value of a key or dash with nothing after it on its line: a more indented block, or null. */
  private nested(parentIndent: number, sameIndentSequence: boolean): unknown {
    const next = this.peek();
    if (next && next.indent > parentIndent) return this.node(next.indent);
    if (next && sameIndentSequence && next.indent === parentIndent && isDash(next.text)) return this.sequence(parentIndent);
    return null;
  }

  /** After a one-line value: the next line may not continue it. */
  private ended(indent: number): void {
    const next = this.peek();
    if (next && next.indent > indent) throw GIVE_UP;
  }

  private sequence(indent: number): unknown[] {
    const outer = this.depth;
    this.depth = deeper(outer);
    const out: unknown[] = [];
    for (let line = this.peek(); line && line.indent === indent && isDash(line.text); line = this.peek()) {
      let at = 1;
      while (line.text.charCodeAt(at) === SPACE) at++;
      const rest = line.text.slice(at);
      if (rest === '' || rest.charCodeAt(0) === HASH) {
        this.i++;
        out.push(this.nested(indent, false));
      } else if (isDash(rest)) {
        throw GIVE_UP;
      } else {
        const entry = entryOf(rest);
        if (entry) {
          // A mapping that starts on the dash's line: its keys line up with the first one.
          const column = indent + at;
          this.lines[this.i] = { indent: column, text: rest, start: line.start + at, line: line.line, raw: line.raw };
          out.push(this.mapping(column, entry));
        } else {
          this.i++;
          out.push(this.valueAfter(indent, line.raw, rest));
        }
      }
    }
    this.depth = outer;
    return fitted(out);
  }

  private mapping(indent: number, first: Entry): Record<string, unknown> {
    const outer = this.depth;
    this.depth = deeper(outer);
    const out: Record<string, unknown> = {};
    let entry: Entry | undefined = first;
    for (;;) {
      if (!entry) throw GIVE_UP;
      checkNewKey(out, entry.key);
      const { raw } = this.lines[this.i] as Line;
      this.i++;
      const { rest } = entry;
      out[entry.key] = rest === '' || rest.charCodeAt(0) === HASH ? this.nested(indent, true) : this.valueAfter(indent, raw, rest);
      const next = this.peek();
      if (!next || next.indent !== indent || isDash(next.text)) {
        this.depth = outer;
        return out;
      }
      entry = entryOf(next.text);
    }
  }
}

function documentValue(lines: Line[], text: string): unknown {
  const reader = new BlockReader(lines, text);
  const first = lines[0] as Line;
  const value = reader.node(first.indent);
  if (reader.i !== lines.length) throw GIVE_UP;
  return value;
}

/** Whether the line of `text` from `start` to `end` is a `---` marker with nothing but spaces after it; throws on other content. */
function isDocumentStart(text: string, start: number, end: number): boolean {
  if (!text.startsWith('---', start)) return false;
  for (let at = start + 3; at < end; at++) if (text.charCodeAt(at) !== SPACE) throw GIVE_UP;
  return true;
}

/**
 * The documents of `text` with their values, empty ones left out, or undefined when the text uses anything this
 * reader leaves to the `yaml` package.
 */
export function readPlainYaml(text: string): FastDocument[] | undefined {
  if (OTHER_WHITESPACE.test(text)) return undefined;
  const documents: FastDocument[] = [];
  let lines: Line[] = [];
  const flush = (): void => {
    const first = lines[0];
    if (first) documents.push({ value: documentValue(lines, text), offset: first.start + first.indent, line: first.line, column: first.indent + 1 });
    lines = [];
  };
  try {
    let start = 0;
    for (let line = 1; start <= text.length; line++) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const c = text[start];
      if (c === '-' && isDocumentStart(text, start, end)) {
        flush();
      } else if (c === '%' || (c === '.' && text.startsWith('...', start))) {
        throw GIVE_UP;
      } else {
        // The content of the line, its indentation and trailing spaces left out (the only white space here).
        let from = start;
        while (from < end && text.charCodeAt(from) === SPACE) from++;
        if (from < end && text.charCodeAt(from) !== HASH) {
          let to = end;
          while (text.charCodeAt(to - 1) === SPACE) to--;
          lines.push({ indent: from - start, text: text.slice(from, to), start, line, raw: line - 1 });
        }
      }
      start = end + 1;
    }
    flush();
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  return documents;
}
