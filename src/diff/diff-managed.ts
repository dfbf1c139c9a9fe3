// Compares the fields a manifest declares with the live object: the plan's view of one resource. Returns data
// only (sorted, secrets masked); printing is the renderers' job. Pure: no I/O, no clock.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

import { compareText } from '../base/order.js';
import { itemName, orderChange, type OrderedPair } from './keyed-order.js';
import { appendIndex, appendItem, appendKey, formatPointer, ROOT_PATH } from './pointer.js';
import { compilePolicy, isLoose, itemIdentity, type CompiledPolicy, type DiffOptions } from './policy.js';
import { maskChange } from './sensitive.js';
import type { DiffPolicy, FieldChange, FieldChangeKind } from './types.js';
import { canonical, declaredKeys, deepCopy, deepEqual, isObject } from '../base/json.js';
import { ABSENT, hasOwn, scalarsEqual } from './values.js';

export type { DiffOptions } from './policy.js';

/**
 * Where the walk is: the pointer segments and whether an enclosing block is exact. The readable path is built only
 * when asked for (a change is reported there): most locations a comparison walks through hold equal values.
 */
export class Location {
  readonly ptr: string[];
  readonly exact: boolean;
  readonly #parent: Location | undefined;
  readonly #step: PathStep;
  /** The key, the index or the item's label this location adds to its parent's path (always a string: one shape). */
  readonly #segment: string;
  #path: string | undefined;

  constructor(ptr: string[], exact: boolean, parent: Location | undefined, step: PathStep, segment: string) {
    this.ptr = ptr;
    this.exact = exact;
    this.#parent = parent;
    this.#step = step;
    this.#segment = segment;
    this.#path = parent === undefined ? '' : undefined;
  }

  get path(): string {
    if (this.#path === undefined) this.#path = extendPath((this.#parent as Location).path, this.#step, this.#segment);
    return this.#path;
  }

  /** This location, exact when `exact` says so. */
  withExact(exact: boolean): Location {
    return exact === this.exact ? this : new Location(this.ptr, exact, this, PathStep.Same, '');
  }
}

/** How a location's readable path extends its parent's. */
const enum PathStep {
  Key,
  Index,
  /** A keyed item's label, `field=value`. */
  Item,
  /** The parent's path unchanged (an item of a set, or the same place made exact). */
  Same,
}

function extendPath(path: string, step: PathStep, segment: string): string {
  switch (step) {
    case PathStep.Key:
      return appendKey(path, segment);
    case PathStep.Index:
      return appendIndex(path, segment);
    case PathStep.Item: {
      const eq = segment.indexOf('=');
      return appendItem(path, segment.slice(0, eq), segment.slice(eq + 1));
    }
    case PathStep.Same:
      return path;
  }
}

export const ROOT = new Location([], false, undefined, PathStep.Same, '');

export function childKey(loc: Location, key: string, exact: boolean): Location {
  return new Location([...loc.ptr, key], exact, loc, PathStep.Key, key);
}

export function childIndex(loc: Location, index: number, exact: boolean): Location {
  const segment = String(index);
  return new Location([...loc.ptr, segment], exact, loc, PathStep.Index, segment);
}

export function childItem(loc: Location, index: number, label: string | undefined): Location {
  // An item of a keyed list is merged over its live counterpart unless the item itself is declared exact.
  const segment = String(index);
  const ptr = [...loc.ptr, segment];
  return new Location(ptr, false, loc, label === undefined ? PathStep.Index : PathStep.Item, label ?? segment);
}

/** An item of a set: its own pointer, and the set's readable path. */
export function childMember(loc: Location, index: number): Location {
  return new Location([...loc.ptr, String(index)], loc.exact, loc, PathStep.Same, '');
}

/** The value live is taken to have: the live value, or the default DSS fills in when it is absent. */
export function effectiveLive(p: CompiledPolicy, loc: Location, live: unknown): unknown {
  if (live !== ABSENT) return live;
  const def = p.defaults.lookup(loc.ptr);
  return def ? deepCopy(def.value) : ABSENT;
}

/** A live entry the desired side lacks, under an exact block: is it really extra? */
export function isRemovable(p: CompiledPolicy, loc: Location, live: unknown): boolean {
  if (p.ignore.covers(loc.ptr)) return false;
  const def = p.defaults.lookup(loc.ptr);
  return !(def && deepEqual(live, def.value, isLoose(p, loc.ptr)));
}

/**
 * Changes that writing `desired` over `live` would make, on the fields `desired` declares (see DiffPolicy for
 * the rules per pointer). Sorted by pointer; sensitive values replaced by SENSITIVE_MASK.
 */
export function diffManaged(
  desired: unknown,
  live: unknown,
  policy: DiffPolicy,
  options: DiffOptions = {},
): FieldChange[] {
  const p = compilePolicy(policy, options);
  const out: FieldChange[] = [];
  compareValue(p, desired, live === undefined ? ABSENT : live, ROOT, out);
  return out.map((c) => maskChange(c, p.sensitive)).sort(compareChanges);
}

function push(out: FieldChange[], loc: Location, kind: FieldChangeKind, before: unknown, after: unknown): void {
  const change: FieldChange = { pointer: formatPointer(loc.ptr), path: loc.path || ROOT_PATH, kind, sensitive: false };
  if (before !== ABSENT) change.before = deepCopy(before);
  if (after !== ABSENT) change.after = deepCopy(after);
  out.push(change);
}

function compareValue(p: CompiledPolicy, desired: unknown, rawLive: unknown, loc: Location, out: FieldChange[]): void {
  if (p.ignore.covers(loc.ptr)) return;
  const live = effectiveLive(p, loc, rawLive);
  const exact = loc.exact || p.exact.matches(loc.ptr);
  const here = loc.withExact(exact);

  if (Array.isArray(desired)) {
    if (live !== ABSENT && !Array.isArray(live)) return push(out, here, 'modify', live, desired);
    const liveItems = live === ABSENT ? [] : live;
    const keyed = p.keyed.lookup(loc.ptr);
    if (keyed) return compareKeyed(p, desired, liveItems, keyed.value, here, out);
    if (p.sets.matches(loc.ptr)) return compareSet(p, desired, liveItems, here, out);
    if (live === ABSENT) return push(out, here, 'add', ABSENT, desired);
    if (desired.length !== liveItems.length) return push(out, here, 'modify', live, desired);
    desired.forEach((d, i) => compareValue(p, d, liveItems[i], childIndex(here, i, exact), out));
    return;
  }

  if (isObject(desired)) {
    if (live === ABSENT) {
      const keys = declaredKeys(desired);
      if (keys.length === 0) return push(out, here, 'add', ABSENT, desired);
      for (const k of keys) compareValue(p, desired[k], ABSENT, childKey(here, k, exact), out);
      return;
    }
    if (!isObject(live)) return push(out, here, 'modify', live, desired);
    for (const k of declaredKeys(desired)) {
      compareValue(p, desired[k], hasOwn(live, k) ? live[k] : ABSENT, childKey(here, k, exact), out);
    }
    if (!exact) return;
    for (const k of declaredKeys(live)) {
      const child = childKey(here, k, exact);
      if (!hasOwn(desired, k) && isRemovable(p, child, live[k])) push(out, child, 'remove', live[k], ABSENT);
    }
    return;
  }

  if (live === ABSENT) return push(out, here, 'add', ABSENT, desired);
  if (!scalarsEqual(desired, live, isLoose(p, loc.ptr))) push(out, here, 'modify', live, desired);
}

/** Pairs desired items with live ones by identity; each live item is used at most once, first come first served. */
export function pairItems(
  p: CompiledPolicy,
  desired: readonly unknown[],
  live: readonly unknown[],
  keys: readonly string[],
  loc: Location,
): { pairs: Array<{ index: number; label: string | undefined; liveIndex: number | undefined }>; unmatched: number[] } {
  const loose = isLoose(p, loc.ptr);
  const liveIds = live.map((item) => itemIdentity(item, keys, loose).id);
  const used = new Set<number>();
  const pairs = desired.map((item, index) => {
    const { id, label } = itemIdentity(item, keys, loose);
    const found = liveIds.findIndex((lid, j) => lid === id && !used.has(j));
    if (found >= 0) used.add(found);
    return { index, label, liveIndex: found >= 0 ? found : undefined };
  });
  const unmatched = live.map((_, j) => j).filter((j) => !used.has(j));
  return { pairs, unmatched };
}

function compareKeyed(
  p: CompiledPolicy,
  desired: unknown[],
  live: unknown[],
  keys: string[],
  loc: Location,
  out: FieldChange[],
): void {
  const { pairs, unmatched } = pairItems(p, desired, live, keys, loc);
  const present: OrderedPair[] = [];
  for (const { index, label, liveIndex } of pairs) {
    const child = childItem(loc, index, label);
    if (p.ignore.covers(child.ptr)) continue;
    if (liveIndex === undefined) push(out, child, 'add', ABSENT, desired[index]);
    else {
      present.push({ liveIndex, name: itemName(label, keys, desired[index]) });
      compareValue(p, desired[index], live[liveIndex], child, out);
    }
  }
  // One change for the whole order rather than one per moved item: a move is not a change of the item.
  const order = p.ordered.matches(loc.ptr) ? orderChange(present) : undefined;
  if (order) {
    const { before, after } = order;
    out.push({ pointer: formatPointer(loc.ptr), path: loc.path || ROOT_PATH, kind: 'modify', before, after, sensitive: false, reorder: true });
  }
  if (!loc.exact) return;
  for (const j of unmatched) {
    const { label } = itemIdentity(live[j], keys, isLoose(p, loc.ptr));
    const child = childItem(loc, j, label);
    if (isRemovable(p, child, live[j])) push(out, child, 'remove', live[j], ABSENT);
  }
}

function compareSet(p: CompiledPolicy, desired: unknown[], live: unknown[], loc: Location, out: FieldChange[]): void {
  const loose = isLoose(p, loc.ptr);
  const liveForms = new Set(live.map((v) => canonical(v, loose)));
  const desiredForms = new Set<string>();
  desired.forEach((item, i) => {
    const form = canonical(item, loose);
    if (!liveForms.has(form) && !desiredForms.has(form)) {
      push(out, childMember(loc, i), 'add', ABSENT, item);
    }
    desiredForms.add(form);
  });
  if (!loc.exact) return;
  const removed = new Set<string>();
  live.forEach((item, j) => {
    const form = canonical(item, loose);
    const child = childMember(loc, j);
    if (desiredForms.has(form) || removed.has(form) || p.ignore.covers(child.ptr)) return;
    removed.add(form);
    push(out, child, 'remove', item, ABSENT);
  });
}

const KIND_ORDER: Record<FieldChangeKind, number> = { remove: 0, modify: 1, add: 2 };

/** Splits a path into text and number runs, so that `a[2]` sorts before `a[10]`. */
function naturalChunks(path: string): Array<string | number> {
  return (path.match(/\d+|\D+/g) ?? []).map((c) => (/^\d+$/.test(c) ? Number(c) : c));
}

function compareNatural(a: string, b: string): number {
  const ca = naturalChunks(a);
  const cb = naturalChunks(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i] as string | number;
    const y = cb[i] as string | number;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return compareText(String(x), String(y));
  }
  return ca.length - cb.length;
}

/**
 * Deterministic order: by readable path (numbers compared as numbers), so keyed items sort by key; then
 * removals before modifications before additions; then by value and pointer.
 */
export function compareChanges(a: FieldChange, b: FieldChange): number {
  return (
    compareNatural(a.path, b.path) ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    compareText(JSON.stringify([a.before, a.after]) ?? '', JSON.stringify([b.before, b.after]) ?? '') ||
    compareText(a.pointer, b.pointer)
  );
}
