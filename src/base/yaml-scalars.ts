// The scalars of the plain YAML that yaml-fast.ts reads: plain values as the core schema types them, quoted
// scalars without escapes, plain keys as the `yaml` package names them, and the one string kept for each short value.
// Anything else gives up (GIVE_UP), and the `yaml` package reads the text.

export class Unsupported extends Error {}
export const GIVE_UP = new Unsupported();

const NULL_RE = /^(?:~|[Nn]ull|NULL)?$/;
const TRUE_RE = /^(?:[Tt]rue|TRUE)$/;
const FALSE_RE = /^(?:[Ff]alse|FALSE)$/;
const INT_RE = /^[-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/**
 * White space of JavaScript's trim and \s other than the space and the line feed: tabs, CR, the byte-order mark,
 * no-break and other Unicode spaces, line and paragraph separators. YAML's white space is the space and the tab
 * alone, so a no-break space is text to the `yaml` package, where trimming would take it for indentation or
 * trailing space; with none of these in the text, every trim of the readers removes spaces only, and the space is the only
 * white space a line holds.
 */
export const OTHER_WHITESPACE = /[^\S \n]/;

export const SPACE = 32;
export const HASH = 35;
export const COLON = 58;
export const DASH = 45;
/** Where a plain scalar could be anything but a string: numbers, .inf, .nan, hex, octal, exponents. */
const NUMERIC_START = new Set([...'-+.0123456789'].map((c) => c.charCodeAt(0)));
/** Characters that make a plain scalar something else, or need rules this reader does not implement. */
const INDICATOR_START = new Set([...'-?:,[]{}#&*!|>\'"%@`'].map((c) => c.charCodeAt(0)));

export function plainValue(text: string): unknown {
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

export function shared(text: string): string {
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

export function plainKeyName(text: string): string {
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
export function checkNewKey(out: Record<string, unknown>, key: string): void {
  if (key === '__proto__' || Object.hasOwn(out, key)) throw GIVE_UP;
}

/** A quoted scalar starting at `text[at]`; returns the string and the index after the closing quote. */
export function quoted(text: string, at: number): [string, number] {
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
export function checkRest(text: string, at: number): void {
  if (at === text.length) return;
  const rest = text.slice(at);
  const trimmed = rest.trimStart();
  if (trimmed === '') return;
  if (trimmed[0] === '#' && trimmed.length < rest.length) return;
  throw GIVE_UP;
}

/** A plain scalar of block context, up to a comment. */
export function blockPlain(text: string): string {
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
export function deeper(depth: number): number {
  if (depth >= DEEPEST) throw GIVE_UP;
  return depth + 1;
}

/**
 * The items of an array built by pushing, in an array of their number: pushing leaves room for more (an array of
 * one item holds 17 places), and the documents read are kept for the whole run.
 */
export function fitted(items: unknown[]): unknown[] {
  return items.slice();
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
export function plainKeyEnd(text: string, at: number): number {
  if (!isPlainKeyStart(text.charCodeAt(at))) return -1;
  let end = at + 1;
  for (; end < text.length; end++) {
    const c = text.charCodeAt(end);
    if (c < 128 && KEY_END[c] === 1) break;
  }
  return end;
}
