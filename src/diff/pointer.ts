// JSON pointers (RFC 6901) and the readable dotted paths shown to people. Pure: no I/O, no clock.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

export type Segments = readonly string[];

export function parsePointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return pointer === '' ? [] : [''];
  const body = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  return body.split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function formatPointer(segments: Segments): string {
  return segments.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Each segment of `pattern` is `*` or the segment of `path` at its place. */
function matchesPrefix(pattern: Segments, path: Segments): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const segment = pattern[i];
    if (segment !== '*' && segment !== path[i]) return false;
  }
  return true;
}

/**
 * Patterns parsed once per run: every unit's policy names the same few pointers, and a policy is compiled for each
 * comparison. The parsed segments are shared, so they are never changed.
 */
const parsedPatterns = new Map<string, Segments>();

function parsePattern(pointer: string): Segments {
  let parsed = parsedPatterns.get(pointer);
  if (parsed === undefined) {
    parsed = parsePointer(pointer);
    parsedPatterns.set(pointer, parsed);
  }
  return parsed;
}

/**
 * A compiled list of pointer patterns, kept by length: only a pattern as long as a location can name it exactly,
 * and only one no longer than it can name an ancestor.
 */
export class PointerSet {
  private readonly byLength: Segments[][] = [];
  readonly size: number;

  constructor(pointers: readonly string[] = []) {
    for (const pattern of pointers.map(parsePattern)) (this.byLength[pattern.length] ??= []).push(pattern);
    this.size = pointers.length;
  }

  /** A pattern names exactly this location. */
  matches(path: Segments): boolean {
    const patterns = this.byLength[path.length];
    if (patterns === undefined) return false;
    for (const pattern of patterns) if (matchesPrefix(pattern, path)) return true;
    return false;
  }

  /** A pattern names this location or an ancestor of it. */
  covers(path: Segments): boolean {
    const longest = Math.min(path.length, this.byLength.length - 1);
    for (let length = 0; length <= longest; length++) {
      const patterns = this.byLength[length];
      if (patterns === undefined) continue;
      for (const pattern of patterns) if (matchesPrefix(pattern, path)) return true;
    }
    return false;
  }
}

/** A compiled pointer → value table (keyed lists, defaults): the first matching entry wins. */
export class PointerTable<T> {
  /** The entries by pattern length, each in key order: only entries as long as a location can match it. */
  private readonly byLength: Array<Array<[Segments, { value: T }]>> = [];

  constructor(table: Record<string, T> = {}) {
    for (const k of Object.keys(table).sort()) {
      const pattern = parsePattern(k);
      (this.byLength[pattern.length] ??= []).push([pattern, { value: table[k] as T }]);
    }
  }

  lookup(path: Segments): { value: T } | undefined {
    const entries = this.byLength[path.length];
    if (entries === undefined) return undefined;
    for (const [pattern, found] of entries) if (matchesPrefix(pattern, path)) return found;
    return undefined;
  }
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `variables` + `standard` → `variables.standard`; keys that would read ambiguously are quoted. */
export function appendKey(path: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** `triggers` + (`id`, `daily`) → `triggers[id=daily]`. */
export function appendItem(path: string, field: string, value: string): string {
  return `${path}[${field}=${value}]`;
}

export function appendIndex(path: string, index: number | string): string {
  return `${path}[${index}]`;
}

/** What renderers show for a change at the root of the compared object. */
export const ROOT_PATH = '(root)';
