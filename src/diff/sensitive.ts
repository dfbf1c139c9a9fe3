// Keeps secrets inside the diff: masks for changes and whole objects, and salted hashes for plan files, which
// must be able to tell that a secret changed without holding it. Pure: no I/O, no clock (node:crypto is used as
// computation only).
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

import { createHmac, timingSafeEqual } from 'node:crypto';
import { parsePointer, PointerSet, type Segments } from './pointer.js';
import { looksSecret } from '../base/secret-names.js';
import { SENSITIVE_MASK, type FieldChange } from './types.js';
import { canonical, isObject, setOwn } from '../base/json.js';

/** Tells secret locations: under a sensitive pointer, or under a key whose name looks secret where names are tested. */
export class SecretMatcher {
  private readonly pointers: PointerSet;
  private readonly named: PointerSet;

  constructor(sensitive: readonly string[] = [], secretNamedKeys: readonly string[] = []) {
    this.pointers = new PointerSet(sensitive);
    this.named = new PointerSet(secretNamedKeys);
  }

  get size(): number {
    return this.pointers.size + this.named.size;
  }

  /**
   * This location or one of its ancestors holds a secret: it is under a sensitive pointer, or some key on its path,
   * at the depth of a `secretNamedKeys` pattern or anywhere below it, has a secret-looking name (`/standard/*`
   * covers `standard.db.password`).
   */
  covers(at: Segments): boolean {
    if (this.pointers.covers(at)) return true;
    if (this.named.size === 0) return false;
    for (let k = 1; k <= at.length; k++) {
      if (looksSecret(at[k - 1] as string) && this.named.covers(at.slice(0, k))) return true;
    }
    return false;
  }

  /** `covers` of the root, as a state to walk down from with `childState`. */
  rootState(): SecretState {
    return (this.pointers.covers([]) ? COVERED : 0) | (this.named.covers([]) ? NAMED : 0);
  }

  /**
   * `covers(at)` told in one step from the state of `at`'s parent (what a walk down a value knows), instead of over
   * every ancestor again: covered below a covered location; else named exactly by a sensitive pointer, or
   * secret-looking under a `secretNamedKeys` pattern that names it or an ancestor.
   */
  childState(parent: SecretState, at: Segments): SecretState {
    if ((parent & COVERED) !== 0) return parent;
    const named = (parent & NAMED) !== 0 || (this.named.size > 0 && this.named.matches(at));
    const covered = this.pointers.matches(at) || (named && looksSecret(at[at.length - 1] as string));
    return (covered ? COVERED : 0) | (named ? NAMED : 0);
  }
}

/** What `SecretMatcher.childState` tells of a location: whether it is covered (`isCovered`), and what its children need. */
export type SecretState = number;
const COVERED = 1;
const NAMED = 2;

export function isCovered(state: SecretState): boolean {
  return (state & COVERED) !== 0;
}

function maskWithin(value: unknown, at: Segments, pointers: { covers(at: Segments): boolean }): unknown {
  if (pointers.covers(at)) return SENSITIVE_MASK;
  if (Array.isArray(value)) return value.map((v, i) => maskWithin(v, [...at, String(i)], pointers));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) setOwn(out, k, maskWithin(value[k], [...at, k], pointers));
    return out;
  }
  return value;
}

/**
 * A copy of `value` with every location under one of `pointers` (RFC 6901, `*` wildcards) replaced by
 * SENSITIVE_MASK. The argument is not modified.
 */
export function maskSensitive<T>(value: T, pointers: readonly string[]): T {
  return maskWithin(value, [], new PointerSet(pointers)) as T;
}

/** A change whose pointer is sensitive is masked whole; otherwise secrets nested in its values are masked. */
export function maskChange(change: FieldChange, sensitive: PointerSet | SecretMatcher): FieldChange {
  if (sensitive.size === 0) return change;
  const at = parsePointer(change.pointer);
  const masked: FieldChange = { ...change };
  if (sensitive.covers(at)) {
    masked.sensitive = true;
    if ('before' in change) masked.before = SENSITIVE_MASK;
    if ('after' in change) masked.after = SENSITIVE_MASK;
    return masked;
  }
  if ('before' in change) masked.before = maskWithin(change.before, at, sensitive);
  if ('after' in change) masked.after = maskWithin(change.after, at, sensitive);
  return masked;
}

/**
 * The change with its live (before) side masked at `pointers` and below, its declared side kept: for places where
 * DSS may still hold a secret that the manifests no longer declare.
 */
export function maskBefore(change: FieldChange, pointers: PointerSet): FieldChange {
  if (pointers.size === 0 || !('before' in change)) return change;
  const at = parsePointer(change.pointer);
  return { ...change, before: pointers.covers(at) ? SENSITIVE_MASK : maskWithin(change.before, at, pointers) };
}

/**
 * A salted, keyed hash of a secret (HMAC-SHA256 over its canonical JSON form), for plan files and for telling
 * whether a secret DSS does not return has changed since it was last written. Never reversible.
 */
export function hashSecret(value: unknown, salt: string): string {
  const digest = createHmac('sha256', salt).update(canonical(value, false)).digest('hex');
  return `hmac-sha256:${digest}`;
}

/** Compares a secret with a hash from `hashSecret` in constant time. */
export function secretMatchesHash(value: unknown, salt: string, hash: string): boolean {
  const actual = Buffer.from(hashSecret(value, salt));
  const expected = Buffer.from(hash);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
