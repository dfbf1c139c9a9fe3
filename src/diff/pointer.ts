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

/** Same length, segment by segment, `*` matching any key or index. */
function matchesExactly(pattern: Segments, path: Segments): boolean {
  return pattern.length === path.length && matchesPrefix(pattern, path);
}

/** The pattern names `path` or one of its ancestors. */
function covers(pattern: Segments, path: Segments): boolean {
  return pattern.length <= path.length && matchesPrefix(pattern, path);
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

/** A compiled list of pointer patterns. */
export class PointerSet {
  private readonly patterns: Segments[];

  constructor(pointers: readonly string[] = []) {
    this.patterns = pointers.map(parsePattern);
  }

  get size(): number {
    return this.patterns.length;
  }

  /** A pattern names exactly this location. */
  matches(path: Segments): boolean {
    for (const pattern of this.patterns) if (matchesExactly(pattern, path)) return true;
    return false;
  }

  /** A pattern names this location or an ancestor of it. */
  covers(path: Segments): boolean {
    for (const pattern of this.patterns) if (covers(pattern, path)) return true;
    return false;
  }
}

/** A compiled pointer → value table (keyed lists, defaults): the first matching entry wins. */
export class PointerTable<T> {
  private readonly entries: Array<[Segments, T]>;

  constructor(table: Record<string, T> = {}) {
    this.entries = Object.keys(table)
      .sort()
      .map((k) => [parsePattern(k), table[k] as T]);
  }

  lookup(path: Segments): { value: T } | undefined {
    for (const [pattern, value] of this.entries) if (matchesExactly(pattern, path)) return { value };
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
