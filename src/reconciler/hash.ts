// Stable hashes of specs and live objects. Spec hashes go into the ownership record on DSS (drift vs pending);
// fingerprints go into plan files (stale plan detection). Neither may reveal a secret: in spec hashes each secret
// is replaced by a fixed mask, fingerprints and secret hashes are salted per plan file.

import { hash } from 'node:crypto';
import { isCovered, SecretMatcher, type SecretState } from '../diff/sensitive.js';
import { SENSITIVE_MASK } from '../diff/types.js';
import type { ResourceUnit } from '../resources/types.js';
import { scalarJson, sortedKeys } from '../base/json.js';

const MASK_JSON = JSON.stringify(SENSITIVE_MASK);

/**
 * JSON.stringify of the keys met: objects of the same kind repeat the same keys, each quoted once (bounded, as
 * keys are the manifests' and DSS's to choose).
 */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 10_000;

function quoted(key: string): string {
  let json = quotedKeys.get(key);
  if (json === undefined) {
    json = JSON.stringify(key);
    if (quotedKeys.size >= MAX_QUOTED_KEYS) quotedKeys.clear();
    quotedKeys.set(key, json);
  }
  return json;
}

/**
 * JSON with object keys sorted at every level: equal values give equal text. Keys sort in code-unit order (the
 * default sort of strings, compareText's order); a key holding `undefined` is left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return scalarJson(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  for (const key of sortedKeys(record)) {
    const inner = record[key];
    if (inner === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${quoted(key)}:${canonicalJson(inner)}`;
  }
  return `${out}}`;
}

/**
 * canonicalJson of `value` with each secret (the outermost location `secrets` covers) replaced by the fixed mask,
 * in one walk and without copying `value`. `at` is the path of `value`, one array extended and shortened along the
 * walk, and `state` what `secrets` tells of it.
 */
function canonicalMasked(value: unknown, secrets: SecretMatcher, at: string[], state: SecretState): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return scalarJson(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      at.push(String(i));
      const inner = secrets.childState(state, at);
      out += isCovered(inner) ? MASK_JSON : canonicalMasked(value[i], secrets, at, inner);
      at.pop();
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  for (const key of sortedKeys(record)) {
    const inner = record[key];
    at.push(key);
    const innerState = secrets.childState(state, at);
    // An absent value is left out, unless it is a secret's place: the mask stands there as it would in a copy.
    if (isCovered(innerState) || inner !== undefined) {
      if (out.length > 1) out += ',';
      out += `${quoted(key)}:${isCovered(innerState) ? MASK_JSON : canonicalMasked(inner, secrets, at, innerState)}`;
    }
    at.pop();
  }
  return `${out}}`;
}

export function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

export function saltedHash(salt: string, value: unknown): string {
  return sha256(`${salt}\0${canonicalJson(value)}`);
}

function unescapeSegment(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function escapeSegment(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The concrete pointers in `value` that a pattern (with `*` segments) names. */
export function expandPointer(value: unknown, pattern: string): string[] {
  const segments = pattern === '' ? [] : pattern.slice(1).split('/').map(unescapeSegment);
  const out: string[] = [];
  const walk = (node: unknown, i: number, prefix: string): void => {
    if (i === segments.length) {
      out.push(prefix);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const seg = segments[i] as string;
    const keys = seg === '*' ? Object.keys(node) : [seg];
    for (const key of keys) {
      if (!Object.hasOwn(node, key)) continue;
      walk((node as Record<string, unknown>)[key], i + 1, `${prefix}/${escapeSegment(key)}`);
    }
  };
  walk(value, 0, '');
  return out;
}

export function getPointer(value: unknown, pointer: string): unknown {
  if (pointer === '') return value;
  let node = value;
  for (const seg of pointer.slice(1).split('/').map(unescapeSegment)) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, seg)) return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  return node;
}

/** Sets a value at an existing location of a deep copy made by the caller. */
export function setPointer(value: unknown, pointer: string, replacement: unknown): void {
  const segs = pointer.slice(1).split('/').map(unescapeSegment);
  const last = segs.pop();
  let node = value;
  for (const seg of segs) node = (node as Record<string, unknown>)[seg];
  if (last !== undefined && node !== null && typeof node === 'object') (node as Record<string, unknown>)[last] = replacement;
}

/**
 * The pointers, relative to `unit.desired`, of the unit's secret values: the kind's sensitive paths and the
 * document's `${secret:..}` values (whose pointers start at the document root, e.g. `/spec/variables/...`).
 */
export function sensitivePointersOf(unit: ResourceUnit): string[] {
  const pointers = new Set(unit.policy.sensitive ?? []);
  for (const p of unit.doc.sensitivePaths) {
    if (!p.startsWith('/spec/')) continue;
    const inSpec = p.slice('/spec'.length);
    pointers.add(inSpec);
    // A block unit (`#variables`) may hold its block's content at its root.
    if (unit.block && inSpec.startsWith(`/${unit.block}/`)) pointers.add(inSpec.slice(unit.block.length + 1));
  }
  return [...pointers];
}

/** A deep copy of `value` with the values at `patterns` replaced by `replace(value)`. */
export function replaceAt(value: unknown, patterns: string[], replace: (v: unknown, pointer: string) => unknown): unknown {
  const copy = structuredClone(value);
  for (const pattern of patterns) {
    for (const pointer of expandPointer(copy, pattern)) {
      if (pointer === '') continue;
      setPointer(copy, pointer, replace(getPointer(copy, pointer), pointer));
    }
  }
  return copy;
}

/**
 * The hash of what a unit declares: recorded on DSS to tell drift from pending changes. Secrets (sensitive paths,
 * `${secret:..}` values, secret-looking names where the policy tests them) enter it as a fixed mask, never as
 * values nor as hashes of them. The record is readable by every reader of the project, and any value-derived
 * digest there, salted with what the address gives, could be checked against guesses offline. The price: a secret
 * rotated only in the manifests or the environment leaves the hash unchanged, so drift reports the live
 * difference on it as drift rather than pending (and apply writes it all the same). `sensitive` is
 * `sensitivePointersOf(unit)`, for a caller that has it already.
 */
export function specHash(unit: ResourceUnit, sensitive: readonly string[] = sensitivePointersOf(unit)): string {
  const secrets = new SecretMatcher(sensitive, unit.policy.secretNamedKeys);
  // The text of canonicalJson({ address, desired }) with desired's secrets masked, paths relative to desired.
  if (unit.desired === undefined) return sha256(canonicalJson({ address: unit.address }));
  const desired = secrets.size === 0 ? canonicalJson(unit.desired) : canonicalMasked(unit.desired, secrets, [], secrets.rootState());
  return sha256(`{"address":${JSON.stringify(unit.address)},"desired":${desired}}`);
}

/** A salted hash of a live object as DSS returned it; `absent` hashes too, so creation races are caught. */
export function fingerprint(salt: string, raw: unknown, exists: boolean): string {
  return saltedHash(salt, exists ? { raw } : { absent: true });
}
