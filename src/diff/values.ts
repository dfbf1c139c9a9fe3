// The diff's own value helpers: absent keys and DSS's loose scalars. Copies, canonical forms and equality are
// the base layer's (`base/json.ts`). Pure: no I/O, no clock.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

import { isScalar, type Json } from '../base/json.js';

export type PlainObject = Json;

/** Stands for "no value here" (a missing key), distinct from `null` and from a key holding `undefined`. */
export const ABSENT: unique symbol = Symbol('absent');

export function hasOwn(obj: PlainObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key) && obj[key] !== undefined;
}

/**
 * DSS stores many settings as strings (`"10"`, `"true"`) and accepts numbers and booleans on write. Under a
 * `stringified` pointer of the policy, scalars compare by their string form.
 */
export function scalarsEqual(a: unknown, b: unknown, loose: boolean): boolean {
  if (a === b) return true;
  if (loose && isScalar(a) && isScalar(b)) return String(a) === String(b);
  return false;
}
