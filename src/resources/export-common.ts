// Pure helpers the kinds share to turn live objects into short manifest specs for `export`: placeholder
// documents whose units read everything, removal of what DSS fills in by default, grants reduced to their true
// flags, secret-looking values replaced by `${secret:NAME}` references, and escaping of text that the manifest
// loader would otherwise interpolate.

import { compareText } from '../base/order.js';
import { API_VERSION } from './common.schema.js';
import { deepEqual, isObject, type Json } from '../base/json.js';
import type { ManifestDocument, ManifestMetadata } from '../manifest/types.js';
import type { ExportedSecret } from './types.js';
import { looksSecret, nameWords } from '../base/secret-names.js';

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
  if (isObject(value)) return Object.keys(value).length === 0;
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

/** Where a scrub stands: the words of the secret's name so far, and the place shown to the user. */
export interface ScrubAt {
  name: string[];
  where: string;
}

/** What a scrub collects: the names given so far (unique across calls) and the secrets found. */
export interface ScrubFound {
  taken: Set<string>;
  found: ExportedSecret[];
}

export interface ScrubOptions {
  /** Also hide whole texts holding a URL with credentials (`credentialUrl`), not only texts under secret names. */
  urls?: boolean;
  /** Keys that say nothing about what a value is (`params`, `configuration`): left out of names, kept in `where`. */
  quietKeys?: ReadonlySet<string>;
}

function hide(at: ScrubAt, found: ScrubFound): string {
  const base = secretName(...at.name);
  let name = base;
  for (let n = 2; found.taken.has(name); n += 1) name = `${base}_${n}`;
  found.taken.add(name);
  found.found.push({ name, where: at.where });
  return secretReference(name);
}

/**
 * A copy of `value` with every secret-looking text replaced by a `${secret:NAME}` reference: texts under
 * secret-looking key names (`looksSecret`) and, with `options.urls`, texts holding a URL with credentials. The
 * names come from `at.name` and the path (keys, and list items by their `id`, else their list's key and position),
 * made unique through `found.taken`. Keys are visited in name order, so that the suffix of a name clash does not
 * depend on the order DSS returned them in. Pure.
 */
export function referenceSecrets(value: unknown, at: ScrubAt, found: ScrubFound, options: ScrubOptions = {}): unknown {
  if (typeof value === 'string') return options.urls === true && credentialUrl(value) ? hide(at, found) : value;
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      const id = isObject(item) && typeof item.id === 'string' && item.id !== '' ? item.id : undefined;
      const label = id ?? String(i + 1);
      return referenceSecrets(item, { name: [...at.name, label], where: `${at.where}[${label}]` }, found, options);
    });
  }
  if (!isObject(value)) return structuredClone(value);
  const out: Json = {};
  for (const [key, item] of Object.entries(value).sort(([a], [b]) => compareText(a, b))) {
    const where = `${at.where}.${key}`;
    // Only text is hidden: a number or a flag under such a name (`useToken: true`, `keyVersion: 2`) is no secret,
    // and a reference would load back as text, unequal to it.
    if (looksSecret(key) && typeof item === 'string' && item !== '') {
      out[key] = hide({ name: [...at.name, key], where }, found);
      continue;
    }
    // A list keeps its key in the name when its items have no id: `STEPS_2`, not a bare `2`.
    const quiet = options.quietKeys?.has(key) === true && !(Array.isArray(item) && item.some((x) => !(isObject(x) && typeof x.id === 'string')));
    out[key] = referenceSecrets(item, { name: quiet ? at.name : [...at.name, key], where }, found, options);
  }
  return out;
}

/**
 * A copy of a map of variables with every text under a secret-looking name replaced by a reference, the names
 * derived from `prefix` and the path of the value. `taken` keeps the names unique across calls.
 */
export function hideSecrets(values: Json, prefix: string[], where: string, taken: Set<string>, found: ExportedSecret[]): Json {
  return referenceSecrets(values, { name: prefix, where }, { taken, found }) as Json;
}

/** Query parameters that carry a credential beyond secret-looking names: signatures, Azure Functions' `code`. */
const SECRET_QUERY = new Set(['sig', 'signature', 'code', 'auth', 'authorization', 'hmac']);

/** Hosts whose webhook URLs are a credential in their path: whoever has one can post. */
const WEBHOOK_PATHS: readonly { host: RegExp; path: RegExp }[] = [
  { host: /^hooks\.slack\.com$/, path: /^\/(services|workflows|triggers)\// },
  { host: /^(discord|discordapp)\.com$/, path: /^\/api\/webhooks\// },
  { host: /(^|\.)webhook\.office\.com$/, path: /^\/./ },
  { host: /^outlook\.office(365)?\.com$/, path: /^\/webhook/ },
  { host: /^hooks\.zapier\.com$/, path: /^\/hooks\// },
  { host: /^api\.telegram\.org$/, path: /^\/bot/ },
  { host: /(^|\.)logic\.azure\.com$/, path: /^\/./ },
  { host: /^maker\.ifttt\.com$/, path: /^\/trigger\// },
];

const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

function urlHasCredentials(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '') return true;
  for (const key of url.searchParams.keys()) {
    if (looksSecret(key) || nameWords(key).some((word) => SECRET_QUERY.has(word))) return true;
  }
  const host = url.hostname.toLowerCase();
  return WEBHOOK_PATHS.some((hook) => hook.host.test(host) && hook.path.test(url.pathname));
}

/**
 * Whether a text holds a URL that carries a credential: userinfo (`user:pass@`), a query parameter named like a
 * secret (`token`, `key`, `sig`...), or the path of a well-known webhook host (`hooks.slack.com/services/...`).
 * URLs inside longer texts count too (`jdbc:postgresql://u:p@db/x`, a message naming a webhook). Pure.
 */
export function credentialUrl(text: string): boolean {
  return [...text.matchAll(URL_IN_TEXT)].some(([url]) => urlHasCredentials(url.replace(/[.,;:)\]}]+$/, '')));
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
  if (isObject(value)) {
    const out: Json = {};
    for (const [key, item] of Object.entries(value)) out[key] = escapeInterpolation(item);
    return out;
  }
  return value;
}
