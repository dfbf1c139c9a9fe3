// Secret values in the node's state file are sealed (AES-256-GCM) with a key kept outside the working tree: the
// file sits in the user's tree (`--sim` keeps it in `.dss-gitops/`), where a commit or a shared CI cache would
// leak an infra's adminApiKey or a variable's password. The node keeps the clear values in memory, because it must
// still send an infra's key to its automation node after a restart: a hash would not do.
//
// What is secret follows the shared secret-name rule: every string under a key with a secret-looking name
// (`adminApiKey`, `apiKey`, `password`, `authToken`...), at any depth below it, and the `value` of a
// `{name|key, value}` pair whose name looks secret. The embedded node of `--sim` also seals every string in which
// the client's run finds one of its secrets (a `${secret:..}` value written into a description): a standalone node
// cannot know the client's secrets, only names. Strings elsewhere stay readable; object keys are never sealed.

import { isObject } from '../base/json.js';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { looksSecret } from '../base/secret-names.js';

const PREFIX = 'dss-gitops-sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const STATE_KEY_BYTES = 32;

export class SecretSealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== STATE_KEY_BYTES) throw new Error(`a state key has ${STATE_KEY_BYTES} bytes, not ${key.length}`);
  }

  seal(text: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return `${PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** The clear text of a sealed value; undefined when this key did not seal it (or it was altered). */
  open(sealed: string): string | undefined {
    const bytes = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    if (bytes.length < IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

const secretNames = new Map<string, boolean>();
/** `looksSecret`, remembered: a state repeats the same few hundred names many times. */
function secretName(name: string): boolean {
  let secret = secretNames.get(name);
  if (secret === undefined) {
    secret = !/^\d+$/.test(name) && looksSecret(name);
    secretNames.set(name, secret);
  }
  return secret;
}

/** `{name: 'password', value: '...'}`, `{key: 'API_TOKEN', value: '...'}`: a secret held by a pair. */
function isSecretPair(value: Record<string, unknown>): boolean {
  if (typeof value.value !== 'string' || value.value === '') return false;
  return (typeof value.name === 'string' && secretName(value.name)) || (typeof value.key === 'string' && secretName(value.key));
}

/** Every string of a value that sits under a secret name, sealed (a copy; already sealed strings kept). */
function sealAll(value: unknown, seal: (text: string) => string): unknown {
  if (typeof value === 'string') return value === '' || isSealed(value) ? value : seal(value);
  if (Array.isArray(value)) return value.map((item: unknown) => sealAll(item, seal));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sealAll(v, seal)]));
  return value;
}

/** Tells a string that holds a secret whatever its key (the client's known secret values); none by default. */
export type RevealsSecret = (text: string) => boolean;

const revealsNothing: RevealsSecret = () => false;

/** A string that is not under a secret name: sealed when `reveals` finds a secret in it. */
function sealIfRevealing(item: string, seal: (text: string) => string, reveals: RevealsSecret): string {
  return item === '' || isSealed(item) || !reveals(item) ? item : seal(item);
}

/**
 * The state with its secret values sealed by `seal`: objects on the way to a secret are copied, the rest is shared
 * with the state as it stands (so that the plain, fast JSON.stringify serializes it).
 */
function sealTree(value: unknown, seal: (text: string) => string, reveals: RevealsSecret): unknown {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, i) => {
      const sealed =
        typeof item === 'object' && item !== null ? sealTree(item, seal, reveals) : typeof item === 'string' ? sealIfRevealing(item, seal, reveals) : item;
      if (sealed !== item) (copy ??= value.slice())[i] = sealed;
    });
    return copy ?? value;
  }
  if (!isObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  if (isSecretPair(value) && !isSealed(value.value)) copy = { ...value, value: seal(value.value as string) };
  for (const key of Object.keys(value)) {
    const item = value[key];
    let sealed: unknown;
    if (secretName(key)) sealed = sealAll(item, seal);
    else if (typeof item === 'object' && item !== null) sealed = sealTree(item, seal, reveals);
    else if (typeof item === 'string') sealed = sealIfRevealing(item, seal, reveals);
    else continue;
    if (sealed !== item) (copy ??= { ...value })[key] = sealed;
  }
  return copy ?? value;
}

/** The state as JSON text with its secret values sealed by `seal` (also the strings in which `reveals` finds one). */
export function stringifySealed(state: unknown, seal: (text: string) => string, reveals: RevealsSecret = revealsNothing): string {
  return JSON.stringify(sealTree(state, seal, reveals));
}

/** How many values of `state` are secret and not sealed (a state file written before sealing, or a fresh one). */
export function countClearSecrets(state: unknown, reveals: RevealsSecret = revealsNothing): number {
  let count = 0;
  stringifySealed(
    state,
    (text) => {
      count += 1;
      return text;
    },
    reveals,
  );
  return count;
}

/**
 * Parses a state file's text, opening every sealed value with `sealer`. `onForeign` names the field of a value
 * that this key did not seal, and decides what to do (throw).
 */
export function parseSealed(text: string, sealer: SecretSealer, onForeign: (field: string) => never): unknown {
  return JSON.parse(text, (key: string, value: unknown) => {
    if (!isSealed(value)) return value;
    const clear = sealer.open(value);
    return clear ?? onForeign(key);
  });
}
