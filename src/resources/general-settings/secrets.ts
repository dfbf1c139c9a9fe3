// The secrets of DSS general settings. DSS stores its passwords and client secrets encrypted with a salt and gives
// back only that form (`e:AES:...`), so the same password saved twice reads back differently: a declared secret
// cannot be compared with what DSS holds. Such a field is write-only: it is not planned as a change on every run
// (the plan says it cannot be compared), it is written whenever the settings are, and the annotation
// `dss-gitops/rotate-secrets: "true"` asks for it to be written now. A field DSS holds empty is a change as usual.
// Pure.

import { isObject, type Json } from '../../base/json.js';
import { describePointer, escapeSegment, joinPointer, parsePointer } from '../../base/json-pointer.js';
import { nameWords } from '../../base/secret-names.js';
import type { ManifestDocument, Problem } from '../../manifest/types.js';
import type { DocumentCheck, LoadingDocument } from '../types.js';

/** The fields DSS encrypts, by their pointer from the root of the settings. */
export const ENCRYPTED_POINTERS: readonly string[] = [
  '/ldapSettings/bindPassword',
  '/ssoSettings/samlSPParams/keystorePassword',
  '/ssoSettings/openIDParams/clientSecret',
  '/azureADSettings/credentialsClientSecret',
  '/azureADSettings/credentialsCertificatePassword',
];

export const ROTATE_ANNOTATION = 'dss-gitops/rotate-secrets';

/** A value DSS gives back in place of a secret: its encrypted form, or a mask. */
export function isHiddenSecret(value: unknown): boolean {
  return typeof value === 'string' && (value.startsWith('e:AES:') || /^\*+$/.test(value));
}

const SECRET_LAST_WORDS = new Set(['password', 'passwd', 'pwd', 'passphrase', 'secret', 'token']);
const KEY_QUALIFIERS = new Set(['api', 'secret', 'private', 'access']);

/**
 * Whether a field of the general settings holds a secret by its name: `bindPassword`, `clientSecret`, `apiKey`,
 * `privateKey`. Narrower than the rule for free-form variables: the settings are full of names such as
 * `credentialsMethod` or `claimKeyIdentifier` that hold no secret, and calling them secrets would refuse them in
 * clear and hide them from plans.
 */
export function isSecretField(name: string): boolean {
  const words = nameWords(name);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (SECRET_LAST_WORDS.has(last)) return true;
  return last === 'key' && words.length > 1 && KEY_QUALIFIERS.has(words[words.length - 2] as string);
}

/** The pointers of the declared values that are secrets: DSS's encrypted fields and texts under secret names. */
export function secretPointers(desired: unknown, at = ''): string[] {
  if (Array.isArray(desired)) return desired.flatMap((item, i) => secretPointers(item, joinPointer(at, i)));
  if (!isObject(desired)) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(desired)) {
    const pointer = `${at}/${escapeSegment(key)}`;
    if (typeof value === 'string' && (ENCRYPTED_POINTERS.includes(pointer) || isSecretField(key))) out.push(pointer);
    else out.push(...secretPointers(value, pointer));
  }
  return out;
}

export function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const segment of parsePointer(pointer)) {
    if (Array.isArray(value)) value = value[Number(segment)];
    else if (isObject(value)) value = Object.hasOwn(value, segment) ? value[segment] : undefined;
    else return undefined;
  }
  return value;
}

/** Sets `value` at `pointer` in `root` (in place), where every parent exists. */
export function setAt(root: Json, pointer: string, value: unknown): void {
  const segments = parsePointer(pointer);
  const last = segments.pop();
  let parent: unknown = root;
  for (const segment of segments) parent = Array.isArray(parent) ? parent[Number(segment)] : isObject(parent) ? parent[segment] : undefined;
  if (last === undefined) return;
  if (Array.isArray(parent)) parent[Number(last)] = value;
  else if (isObject(parent)) parent[last] = value;
}

/** A secret written in clear: where it is in the document (`/spec/...`) and its value, never part of a message. */
export interface LiteralSecret {
  pointer: string;
  value: string;
}

/**
 * Secrets written in the manifest in clear rather than as `${secret:NAME}`, given the pointers (from the document
 * root) of the values that came from a reference. Non-empty texts only (an empty password clears it).
 */
export function literalSecrets(spec: unknown, fromReferences: readonly string[]): LiteralSecret[] {
  return secretPointers(spec).flatMap((pointer) => {
    const value = valueAt(spec, pointer);
    const docPointer = `/spec${pointer}`;
    return typeof value !== 'string' || value === '' || fromReferences.includes(docPointer) ? [] : [{ pointer: docPointer, value }];
  });
}

function literalSecretMessage(pointer: string): string {
  return `\`${describePointer(pointer)}\` is a secret written in clear in the manifest; give it as \`\${secret:NAME}\``;
}

/** `literalSecrets` of a document: an error at each one's line and column. */
export function literalSecretProblems(doc: ManifestDocument): Problem[] {
  return literalSecrets(doc.spec, doc.sensitivePaths).map(({ pointer }) => ({ ...doc.positionOf(pointer), message: literalSecretMessage(pointer) }));
}

/**
 * `checkDocument`: a secret written in clear is an error at its value's line and column when the manifests are
 * loaded (validate refuses it, plan sends nothing), and a secret of the run all the same: no output shows it.
 */
export function checkLiteralSecrets(doc: LoadingDocument): DocumentCheck {
  const found = literalSecrets(doc.spec, doc.sensitivePointers).filter((s) => !doc.unresolvedPointers.includes(s.pointer));
  if (found.length === 0) return {};
  return {
    problems: found.map(({ pointer }) => ({ ...doc.valuePosition(pointer), message: literalSecretMessage(pointer) })),
    secrets: found.map((s) => s.value),
  };
}
