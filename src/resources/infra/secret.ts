// How an infra's `adminApiKey` is compared without ever showing it.
//
// DSS returns the key in clear in the infra settings (the reference's examples do): then the live value is
// compared, and the diff masks it (the kind's policy lists `/adminApiKey` as sensitive; plan files keep only
// salted hashes of sensitive values).
//
// Fallback only, for a DSS that returns the key masked or leaves it out: the key becomes write-only, and
// dss-gitops records a salted SHA-256 of it in a `dssGitops` field of its own in the infra settings. Nothing in
// the reference promises that DSS keeps a field it does not model in a typed object, so this is best effort:
// - a recorded hash that DSS kept: the key is compared through it, and written again when it does not match;
// - no hash (DSS dropped it, or the infra predates the record): the key cannot be compared. It is not planned as
//   a change on every run, only reported (`adminApiKey cannot be compared`), and written on create or when the
//   manifest asks with the annotation `dss-gitops/rotate-admin-api-key: "true"`.
// A salted hash of a long random API key reveals nothing usable.

import { createHash, randomBytes } from 'node:crypto';
import { registerSecrets } from '../../base/secrets.js';
import { isObject, type Json } from '../../base/json.js';
import type { DocumentCheck, LoadingDocument } from '../types.js';

export const RECORD_FIELD = 'dssGitops';
const HASH_FIELD = 'adminApiKeyHash';

function hashWith(salt: string, key: string): string {
  return `${salt}$${createHash('sha256').update(`${salt}:${key}`).digest('hex')}`;
}

/**
 * `checkDocument`: a literal `adminApiKey` (not from a reference) is a warning, and a secret all the same: output and
 * logs must never show it.
 */
export function checkLiteralKey(doc: LoadingDocument): DocumentCheck {
  const key = doc.spec.adminApiKey;
  if (typeof key !== 'string' || key === '' || doc.unresolvedPointers.includes('/spec/adminApiKey')) return {};
  if (doc.sensitivePointers.includes('/spec/adminApiKey')) return { secrets: [key] };
  const problem = {
    ...doc.valuePosition('/spec/adminApiKey'),
    severity: 'warning' as const,
    message: '`spec.adminApiKey` is a literal key in the manifest; keep API keys out of Git',
    hint: 'use `${secret:NAME}` and export NAME in the environment',
  };
  return { problems: [problem], secrets: [key] };
}

export function keyHash(key: string): string {
  return hashWith(randomBytes(12).toString('hex'), key);
}

/** True when the recorded hash is the hash of `key`. */
export function matchesHash(recorded: unknown, key: string): boolean {
  if (typeof recorded !== 'string') return false;
  const salt = recorded.slice(0, recorded.indexOf('$'));
  return salt !== '' && hashWith(salt, key) === recorded;
}

/** The key as DSS returned it, when it did so in clear (not empty, not a mask such as `********`). */
export function clearKey(settings: Json): string | undefined {
  const key = settings.adminApiKey;
  if (typeof key !== 'string' || key === '' || /^\*+$/.test(key)) return undefined;
  // A key the run has read: scrubbed from its output from here on, wherever it shows (see base/secrets.ts).
  registerSecrets([key]);
  return key;
}

export function recordedHash(settings: Json): unknown {
  const record = settings[RECORD_FIELD];
  return isObject(record) ? record[HASH_FIELD] : undefined;
}

/** The settings with the hash of `key` recorded. */
export function withKeyHash(settings: Json, key: string): Json {
  const record = isObject(settings[RECORD_FIELD]) ? settings[RECORD_FIELD] : {};
  return { ...settings, [RECORD_FIELD]: { ...record, [HASH_FIELD]: keyHash(key) } };
}

/** The annotation that asks for a write-only key to be written even though it cannot be compared. */
export const ROTATE_ANNOTATION = 'dss-gitops/rotate-admin-api-key';

export interface LiveKey {
  /** The key for the live view, or undefined to plan the (masked) key as a change. */
  view: string | undefined;
  /** True when DSS gives nothing to compare the key with (neither the key nor a recorded hash). */
  unknown: boolean;
}

/**
 * The `adminApiKey` of the live view: the clear value when DSS returns it; else, through the recorded hash, the
 * declared key when it matches (no change) or nothing (a change); else, with no hash, the key is unknown: the
 * declared key stands in for it (no change) unless `rotate` asks to write it.
 */
export function liveKey(settings: Json, declared: unknown, rotate: boolean): LiveKey {
  const clear = clearKey(settings);
  if (clear !== undefined) return { view: clear, unknown: false };
  const recorded = recordedHash(settings);
  if (typeof declared !== 'string') return { view: undefined, unknown: recorded === undefined };
  if (recorded !== undefined) return { view: matchesHash(recorded, declared) ? declared : undefined, unknown: false };
  return { view: rotate ? undefined : declared, unknown: true };
}

/** `liveKey` without the rotate request, as the view of a key DSS gives something to compare with. */
export function liveKeyView(settings: Json, declared: unknown): string | undefined {
  const key = liveKey(settings, declared, false);
  return key.unknown ? undefined : key.view;
}
