// A DiffPolicy compiled (once per distinct policy), and how keyed-list items are identified. Pure: no I/O, no clock.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

import { PointerSet, PointerTable, type Segments } from './pointer.js';
import { SecretMatcher } from './sensitive.js';
import type { DiffPolicy } from './types.js';
import { canonical, isObject, isScalar } from '../base/json.js';

export interface DiffOptions {
  /** Extra pointers never compared nor written, e.g. from the config's `ignoreDifferences`. */
  ignorePointers?: string[];
  /** Extra pointers whose values are secrets, e.g. from a document's `sensitivePaths`. */
  sensitivePointers?: string[];
}

export interface CompiledPolicy {
  keyed: PointerTable<string[]>;
  sets: PointerSet;
  exact: PointerSet;
  ignore: PointerSet;
  /** The sensitive pointers and the secret-named keys. */
  sensitive: SecretMatcher;
  stringified: PointerSet;
  defaults: PointerTable<unknown>;
  ordered: PointerSet;
}

/**
 * The policy compiled, or the compiled form of an equal policy met before: each unit of a kind builds its own
 * policy object, mostly from the same pointers, and a plan compares every unit. The lists of pointers and keys are
 * told apart by their JSON text (exact for strings); `defaults` by identity, as its values may be anything. The
 * compiled form is never changed, so one serves every comparison of an equal policy.
 */
export function compilePolicy(policy: DiffPolicy, options: DiffOptions = {}): CompiledPolicy {
  const key = JSON.stringify([
    identityOf(policy.defaults),
    policy.keyedLists,
    policy.sets,
    policy.exact,
    policy.ignore,
    options.ignorePointers,
    policy.sensitive,
    options.sensitivePointers,
    policy.secretNamedKeys,
    policy.stringified,
    policy.ordered,
  ]);
  let compiled = compiledPolicies.get(key);
  if (compiled === undefined) {
    compiled = compileAnew(policy, options);
    // Bounded: a run meets a few policies per kind, but a long-lived process (watch) may meet many.
    if (compiledPolicies.size >= MAX_COMPILED_POLICIES) compiledPolicies.clear();
    compiledPolicies.set(key, compiled);
  }
  return compiled;
}

const compiledPolicies = new Map<string, CompiledPolicy>();
const MAX_COMPILED_POLICIES = 1_000;
const identities = new WeakMap<object, number>();
let lastIdentity = 0;

function identityOf(value: object | undefined): number {
  if (value === undefined) return 0;
  let id = identities.get(value);
  if (id === undefined) {
    id = ++lastIdentity;
    identities.set(value, id);
  }
  return id;
}

function compileAnew(policy: DiffPolicy, options: DiffOptions): CompiledPolicy {
  return {
    keyed: new PointerTable(policy.keyedLists),
    sets: new PointerSet(policy.sets),
    exact: new PointerSet(policy.exact),
    ignore: new PointerSet([...(policy.ignore ?? []), ...(options.ignorePointers ?? [])]),
    sensitive: new SecretMatcher([...(policy.sensitive ?? []), ...(options.sensitivePointers ?? [])], policy.secretNamedKeys),
    stringified: new PointerSet(policy.stringified),
    defaults: new PointerTable(policy.defaults),
    ordered: new PointerSet(policy.ordered),
  };
}

/** Whether scalars at this location compare by their string form. */
export function isLoose(p: CompiledPolicy, path: Segments): boolean {
  return p.stringified.size > 0 && p.stringified.covers(path);
}

export interface ItemIdentity {
  /** Equal ids mean the same item. */
  id: string;
  /** The readable form, `id=daily`, or undefined when the item has none of the key fields. */
  label?: string;
}

/**
 * An item is identified by the first key field it has (`group` or `user` for grants). Items with none of them
 * are identified by their whole content, so that they still pair up with an identical live item.
 */
export function itemIdentity(item: unknown, keys: readonly string[], loose: boolean): ItemIdentity {
  if (isObject(item)) {
    for (const field of keys) {
      const value = item[field];
      if (value === undefined || value === null) continue;
      const shown = isScalar(value) ? String(value) : canonical(value, loose);
      return { id: `${field}=${JSON.stringify(shown)}`, label: `${field}=${shown}` };
    }
  }
  return { id: `#${canonical(item, loose)}` };
}
