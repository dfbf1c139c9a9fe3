// A fast reader of the plain YAML that manifests are mostly written in: block mappings and sequences, one-line
// plain and quoted scalars, literal block scalars (`|`, `|-`), one-line flow collections, comments. It gives the same values as the `yaml` package
// (YAML 1.2, core schema) for what it accepts, and gives up (undefined) on anything else, which the `yaml`
// package then reads: anchors, tags, folded and kept block scalars, multi-line plain and quoted scalars, escapes, directives, tabs, CRLF,
// white space other than the space (no-break spaces, BOMs, line separators), odd
// keys, duplicate keys, whatever it is unsure of. The `yaml` package builds a node tree with positions for every
// document, which costs about ten times as much, and positions are only needed when a document has a problem.

import { inlineValue } from './yaml-flow.js';
import {
  COLON,
  checkNewKey,
  DASH,
  deeper,
  fitted,
  GIVE_UP,
  HASH,
  OTHER_WHITESPACE,
  plainKeyEnd,
  plainKeyName,
  quoted,
  SPACE,
  Unsupported,
} from './yaml-scalars.js';

/** A document read: its value and the offset in the text where its content starts. */
export interface FastDocument {
  value: unknown;
  offset: number;
  /** 1-based line and column of that offset. */
  line: number;
  column: number;
}

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
