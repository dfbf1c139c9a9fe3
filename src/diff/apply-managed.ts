// Writes the declared fields into a copy of the live object, with the same rules as diffManaged: the body of the
// PUT in GET-modify-PUT. Whatever the manifest does not declare is kept as DSS returned it, in the same key
// order. Pure: no I/O, no clock.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

import {
  childIndex,
  childItem,
  childKey,
  effectiveLive,
  isRemovable,
  pairItems,
  ROOT,
  type Location,
} from './diff-managed.js';
import { arrangeOrdered, type DeclaredSlot } from './keyed-order.js';
import { compilePolicy, isLoose, itemIdentity, type CompiledPolicy, type DiffOptions } from './policy.js';
import type { DiffPolicy } from './types.js';
import { canonical, declaredKeys, deepCopy, isObject, setOwn } from '../base/json.js';
import { ABSENT, hasOwn, scalarsEqual } from './values.js';

/**
 * The live object with `desired` written over it. Neither argument is modified. After it,
 * `diffManaged(desired, applyManaged(live, desired, p), p)` is empty.
 */
export function applyManaged<T>(live: T, desired: unknown, policy: DiffPolicy, options: DiffOptions = {}): T {
  const p = compilePolicy(policy, options);
  const copy = live === undefined ? ABSENT : deepCopy(live);
  const result = merge(p, desired, copy, ROOT);
  return (result === ABSENT ? undefined : result) as T;
}

/** Returns the new value of this location (possibly `live` itself, updated in place) or ABSENT to leave it unset. */
function merge(p: CompiledPolicy, desired: unknown, live: unknown, loc: Location): unknown {
  if (p.ignore.covers(loc.ptr)) return live;
  const current = effectiveLive(p, loc, live);
  const exact = loc.exact || p.exact.matches(loc.ptr);
  const here = loc.withExact(exact);

  if (Array.isArray(desired)) {
    const items = Array.isArray(current) ? current : [];
    const keyed = p.keyed.lookup(loc.ptr);
    if (keyed) return mergeKeyed(p, desired, items, keyed.value, here);
    if (p.sets.matches(loc.ptr)) return mergeSet(p, desired, items, here);
    if (!Array.isArray(current) || current.length !== desired.length) return deepCopy(desired);
    desired.forEach((d, i) => {
      current[i] = merge(p, d, current[i], childIndex(here, i, exact));
    });
    return current;
  }

  if (isObject(desired)) {
    const target = isObject(current) ? current : {};
    for (const k of declaredKeys(desired)) {
      const value = merge(p, desired[k], hasOwn(target, k) ? target[k] : ABSENT, childKey(here, k, exact));
      if (value !== ABSENT) setOwn(target, k, value);
    }
    if (exact) {
      for (const k of declaredKeys(target)) {
        if (!hasOwn(desired, k) && isRemovable(p, childKey(here, k, exact), target[k])) delete target[k];
      }
    }
    return target;
  }

  // Equal scalars keep their live form ("10" stays "10"), so a converged object is written back unchanged.
  if (current !== ABSENT && scalarsEqual(desired, current, isLoose(p, loc.ptr))) return live;
  return deepCopy(desired);
}

/**
 * Declared items merge over their live counterparts in place; new items go last; live order is kept. In an
 * ordered list the declared items are written in the declared order instead (see arrangeOrdered).
 */
function mergeKeyed(p: CompiledPolicy, desired: unknown[], live: unknown[], keys: string[], loc: Location): unknown[] {
  const { pairs, unmatched } = pairItems(p, desired, live, keys, loc);
  const loose = isLoose(p, loc.ptr);
  const result = [...live];
  const added: unknown[] = [];
  const slots: DeclaredSlot[] = [];
  for (const { index, label, liveIndex } of pairs) {
    const child = childItem(loc, index, label);
    if (p.ignore.covers(child.ptr)) continue;
    const value = liveIndex === undefined ? deepCopy(desired[index]) : merge(p, desired[index], live[liveIndex], child);
    if (liveIndex === undefined) added.push(value);
    else result[liveIndex] = value;
    slots.push({ value, liveIndex, id: itemIdentity(desired[index], keys, loose).id });
  }
  const drop = new Set<number>();
  if (loc.exact) {
    for (const j of unmatched) {
      const { label } = itemIdentity(live[j], keys, loose);
      if (isRemovable(p, childItem(loc, j, label), live[j])) drop.add(j);
    }
  }
  if (p.ordered.matches(loc.ptr)) {
    const declared = new Set(slots.map((s) => s.liveIndex));
    const kept = live.map((_, j) => j).filter((j) => !declared.has(j) && !drop.has(j));
    return arrangeOrdered(slots, live, kept, (item) => itemIdentity(item, keys, loose).id);
  }
  return [...result.filter((_, j) => !drop.has(j)), ...added];
}

function mergeSet(p: CompiledPolicy, desired: unknown[], live: unknown[], loc: Location): unknown[] {
  const loose = isLoose(p, loc.ptr);
  const desiredForms = new Set(desired.map((v) => canonical(v, loose)));
  const kept = loc.exact
    ? live.filter((v, j) => desiredForms.has(canonical(v, loose)) || p.ignore.covers([...loc.ptr, String(j)]))
    : live;
  const present = new Set(kept.map((v) => canonical(v, loose)));
  const added: unknown[] = [];
  for (const item of desired) {
    const form = canonical(item, loose);
    if (present.has(form)) continue;
    present.add(form);
    added.push(deepCopy(item));
  }
  return [...kept, ...added];
}
