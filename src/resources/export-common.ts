// Pure helpers the kinds share to turn live objects into short manifest specs for `export`: placeholder
// documents whose units read everything, removal of what DSS fills in by default, grants reduced to their true
// flags, secret-looking values replaced by `${secret:NAME}` references, and escaping of text that the manifest
// loader would otherwise interpolate.

import { API_VERSION } from './common.schema.js';
import { deepEqual, isPlainObject, type Json } from './managed-write.js';
import type { ManifestDocument, ManifestMetadata } from '../manifest/types.js';
import type { ExportedSecret } from './types.js';
import { looksSecret, nameWords } from '../diff/secret-names.js';

export { looksSecret };

/**
 * A document that is never written: its spec names every field a kind can export (with placeholder values), so
 * that the units built from it read all of them. Its source points nowhere, and it holds no secret.
 */
export function exportStub(kind: string, metadata: ManifestMetadata, spec: Json): ManifestDocument {
  const source = { file: `<live ${kind}>`, line: 1, column: 1 };
  return { apiVersion: API_VERSION, kind, metadata, spec, source, positionOf: () => source, sensitivePaths: [] };
}

export function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isPlainObject(value)) return Object.keys(value).length === 0;
  return false;
}

/** Sets `out[key]` unless the value is empty (`undefined`, `null`, `''`, `[]`, `{}`). */
export function setIfPresent(out: Json, key: string, value: unknown): void {
  if (isEmptyValue(value) || value === '') return;
  out[key] = value;
}

/**
 * A copy of `item` without the fields whose value is the default DSS stores when the field is left out. Only the
 * fields named in `defaults` are looked at: every other field, however empty, is a value someone set.
 */
export function withoutDefaults(item: Json, defaults: Readonly<Json>): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(item)) {
    if (Object.hasOwn(defaults, key) && deepEqual(value, defaults[key])) continue;
    out[key] = structuredClone(value);
  }
  return out;
}

/** A permission grant as a manifest states it: its group or user and the flags that are true (the rest are false). */
export function grantForExport(grant: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(grant)) {
    if (key === 'group' || key === 'user') out[key] = value;
    else if (value === true) out[key] = true;
  }
  return out;
}

/** `('CHURN', 'warehousePassword')` → `CHURN_WAREHOUSE_PASSWORD`: an environment variable name. */
export function secretName(...parts: string[]): string {
  const name = parts.flatMap(nameWords).join('_').toUpperCase();
  return /^[A-Z_]/.test(name) ? name : `S_${name}`;
}

export function secretReference(name: string): string {
  return `\${secret:${name}}`;
}

/**
 * A copy of a map of variables with every text under a secret-looking name replaced by a reference, the names
 * derived from `prefix` and the path of the value. `taken` keeps the names unique across calls.
 */
export function hideSecrets(values: Json, prefix: string[], where: string, taken: Set<string>, found: ExportedSecret[]): Json {
  const out: Json = {};
  // In name order, so that the suffix of a name clash does not depend on the order DSS returned the keys in.
  for (const [key, value] of Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // Only text is hidden: a number or a flag under such a name (`useToken: true`, `keyVersion: 2`) is no secret,
    // and a reference would load back as text, unequal to it.
    if (looksSecret(key) && typeof value === 'string' && value !== '') {
      let name = secretName(...prefix, key);
      for (let n = 2; taken.has(name); n += 1) name = `${secretName(...prefix, key)}_${n}`;
      taken.add(name);
      found.push({ name, where: `${where}.${key}` });
      out[key] = secretReference(name);
    } else if (isPlainObject(value)) {
      out[key] = hideSecrets(value, [...prefix, key], `${where}.${key}`, taken, found);
    } else {
      out[key] = structuredClone(value);
    }
  }
  return out;
}

/** What the loader would interpolate in a string: `${env:..}`, `${var:..}`, `${secret:..}` and the `$${` escape. */
const INTERPOLATED = /\$\$\{|\$\{(env|var|secret):[^}]*\}/;

/**
 * A copy where every string the loader would interpolate is escaped (`${` → `$${`), so that it loads back as the
 * same text. DSS's own `${variable}` syntax is left alone: the loader does not touch it. Secret references are put
 * in after escaping, so they stay references.
 */
export function escapeInterpolation(value: unknown): unknown {
  if (typeof value === 'string') return INTERPOLATED.test(value) ? value.replaceAll('${', () => '$${') : value;
  if (Array.isArray(value)) return value.map((item) => escapeInterpolation(item));
  if (isPlainObject(value)) {
    const out: Json = {};
    for (const [key, item] of Object.entries(value)) out[key] = escapeInterpolation(item);
    return out;
  }
  return value;
}
