// The credentials of a connection: which params are credentials, the rule that they come from `${secret:..}`, and
// how a credential DSS does not give back is compared without ever being shown.
//
// DSS returns a connection's credentials in an encrypted form (the official client: "passwords and secrets in
// their encrypted form"), never in clear, and keeps the stored credential when a save sends that form back. So:
// - a credential written by dss-gitops is recorded as a salted SHA-256 in a `dssGitops` field of the connection
//   itself, readable by administrators only (who may change the connection anyway), never in the ownership record,
//   which every DSS user can read in the instance variables: there a digest of a password could be checked against
//   guesses offline. A recorded hash that does not match the declared value means the manifests (or the
//   environment) rotated the credential since the last apply: a change, pending.
// - a change made in DSS to a credential cannot be seen: DSS shows the same kind of encrypted form either way, and
//   the record only says what dss-gitops wrote. The plan says so for every credential it cannot read back.
// - with no recorded hash (a connection made by hand, or a DSS that drops the field), the credential cannot be
//   compared: it is not planned as a change on every run, only reported, and written when the manifest asks with
//   the annotation `dss-gitops/rotate-secrets: "true"`.
// A write keeps the encrypted form of every credential it does not change, so DSS keeps the one it holds.

import { isObject, type Json } from '../../base/json.js';
import { looksSecret, nameWords } from '../../base/secret-names.js';
import { keyHash, matchesHash } from '../infra/secret.js';

export const RECORD_FIELD = 'dssGitops';
const HASHES_FIELD = 'secretHashes';

/** The annotation that asks for credentials that cannot be compared to be written all the same. */
export const ROTATE_ANNOTATION = 'dss-gitops/rotate-secrets';

function escapeSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Last words that make a secret-looking name a setting about credentials, not one: `credentialsMode`, `keyType`. */
const SETTING_WORDS = new Set(['mode', 'type', 'provider', 'method']);

/** `password`, `secretKey`, `clientSecret`: a credential; `credentialsMode`: a setting. */
export function isCredentialName(name: string): boolean {
  return looksSecret(name) && !SETTING_WORDS.has(nameWords(name).at(-1) ?? '');
}

/**
 * The pointers (below `params`) of the credentials in `params`: text under a credential's name (`password`,
 * `secretKey`, `clientSecret`) and the value of a `{name, value}` property that is secret, at any depth. Sorted.
 */
export function credentialPointers(params: unknown, at = ''): string[] {
  if (Array.isArray(params)) return params.flatMap((item, i) => credentialPointers(item, `${at}/${i}`));
  if (!isObject(params)) return [];
  const out: string[] = [];
  // `{name, value, secret}`: an advanced property (a JDBC driver's `password`), secret by its flag or its name.
  if (typeof params.name === 'string' && typeof params.value === 'string' && (params.secret === true || isCredentialName(params.name))) {
    out.push(`${at}/value`);
  }
  for (const [key, value] of Object.entries(params)) {
    const pointer = `${at}/${escapeSegment(key)}`;
    if (isCredentialName(key) && typeof value === 'string') out.push(pointer);
    else out.push(...credentialPointers(value, pointer));
  }
  return out.sort();
}

/** A value DSS shows in place of a credential: its encrypted form (`e:AES:...`) or a mask (`********`). */
export function isRedacted(value: unknown): boolean {
  return typeof value === 'string' && (/^e:[A-Za-z0-9]+:/.test(value) || /^\*+$/.test(value));
}

export function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const seg of pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (Array.isArray(node)) node = node[Number(seg)];
    else if (isObject(node)) node = node[seg];
    else return undefined;
  }
  return node;
}

/** Sets `value` at `pointer` of `root`, creating objects on the way. Mutates `root`. */
export function setAt(root: Json, pointer: string, value: unknown): void {
  const segs = pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = segs.pop() as string;
  let node: Record<string, unknown> | unknown[] = root;
  for (const seg of segs) {
    const next: unknown = Array.isArray(node) ? node[Number(seg)] : node[seg];
    if (!isObject(next) && !Array.isArray(next)) return;
    node = next;
  }
  if (Array.isArray(node)) node[Number(last)] = value;
  else node[last] = value;
}

/** The hashes recorded in a connection definition, by credential pointer. */
export function recordedHashes(definition: Json): Json {
  const record = definition[RECORD_FIELD];
  return isObject(record) && isObject(record[HASHES_FIELD]) ? record[HASHES_FIELD] : {};
}

/** The definition with the hashes of `written` (pointer → clear value) recorded, other hashes kept. */
export function withHashes(definition: Json, written: ReadonlyMap<string, string>): Json {
  if (written.size === 0) return definition;
  const record = isObject(definition[RECORD_FIELD]) ? definition[RECORD_FIELD] : {};
  const hashes: Json = { ...recordedHashes(definition) };
  for (const [pointer, value] of written) hashes[pointer] = keyHash(value);
  return { ...definition, [RECORD_FIELD]: { ...record, [HASHES_FIELD]: hashes } };
}

/** How a declared credential compares with what DSS shows. */
export type CredentialState =
  /** DSS holds the declared value: shown in clear and equal, or through the recorded hash. */
  | 'same'
  /** The recorded hash is not the declared value's: rotated in the manifests since the last apply. */
  | 'rotated'
  /** DSS shows an encrypted form and there is no hash to compare with. */
  | 'unknown'
  /** DSS shows another value in clear, or none at all. */
  | 'different';

export function credentialState(definition: Json, pointer: string, declared: string): CredentialState {
  const live = valueAt(definition.params, pointer);
  if (live === declared) return 'same';
  if (!isRedacted(live)) return 'different';
  const recorded = recordedHashes(definition)[pointer];
  if (recorded === undefined) return 'unknown';
  return matchesHash(recorded, declared) ? 'same' : 'rotated';
}

/** The place of a credential in the manifest, for messages: `params.password`. */
export function credentialPath(pointer: string): string {
  return `params${pointer.replace(/\//g, '.')}`;
}
