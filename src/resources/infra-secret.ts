// How an infra's `adminApiKey` is compared without ever showing it.
//
// DSS returns the key in clear in the infra settings (the reference's examples do): then the live value is
// compared, and the diff masks it (the kind's policy lists `/adminApiKey` as sensitive; plan files keep only
// salted hashes of sensitive values). Should a DSS return it masked or leave it out, the key becomes
// write-only and is compared by a salted SHA-256 that dss-gitops records beside it, in a `dssGitops` entry of
// the infra settings (DSS keeps fields it does not model): the key is written on create and whenever that hash
// does not match the declared key. A salted hash of a long random API key reveals nothing usable.

import { createHash, randomBytes } from 'node:crypto';
import { isPlainObject, type Json } from './managed-write.js';

export const RECORD_FIELD = 'dssGitops';
const HASH_FIELD = 'adminApiKeyHash';

function hashWith(salt: string, key: string): string {
  return `${salt}$${createHash('sha256').update(`${salt}:${key}`).digest('hex')}`;
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
  return typeof key === 'string' && key !== '' && !/^\*+$/.test(key) ? key : undefined;
}

export function recordedHash(settings: Json): unknown {
  const record = settings[RECORD_FIELD];
  return isPlainObject(record) ? record[HASH_FIELD] : undefined;
}

/** The settings with the hash of `key` recorded. */
export function withKeyHash(settings: Json, key: string): Json {
  const record = isPlainObject(settings[RECORD_FIELD]) ? settings[RECORD_FIELD] : {};
  return { ...settings, [RECORD_FIELD]: { ...record, [HASH_FIELD]: keyHash(key) } };
}

/**
 * The `adminApiKey` of the live view: the clear value when DSS returns it; else the declared key when the
 * recorded hash matches it (no change); else absent, which plans the (masked) key as a change.
 */
export function liveKeyView(settings: Json, declared: unknown): string | undefined {
  const clear = clearKey(settings);
  if (clear !== undefined) return clear;
  if (typeof declared === 'string' && matchesHash(recordedHash(settings), declared)) return declared;
  return undefined;
}
