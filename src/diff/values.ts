// Domain-aware value helpers shared by the diff and the writer: deep copies, canonical forms, DSS's loose
// scalars. Pure: no I/O, no clock.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

export type PlainObject = Record<string, unknown>;

/** Stands for "no value here" (a missing key), distinct from `null` and from a key holding `undefined`. */
export const ABSENT: unique symbol = Symbol('absent');

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** A declared key: present and not `undefined` (YAML and builders leave `undefined` for "not declared"). */
export function declaredKeys(obj: PlainObject): string[] {
  return Object.keys(obj).filter((k) => obj[k] !== undefined);
}

export function hasOwn(obj: PlainObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key) && obj[key] !== undefined;
}

/** Sets an own property, even `__proto__`, without touching the prototype chain. */
export function setOwn(obj: PlainObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Deep copy that keeps key order, so that untouched parts of a live object are written back as they came. */
export function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => deepCopy(v)) as T;
  if (isPlainObject(value)) {
    const out: PlainObject = {};
    for (const k of Object.keys(value)) setOwn(out, k, deepCopy(value[k]));
    return out as T;
  }
  return value;
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

/** A stable text form: sorted keys, loose scalars as strings when asked. Equal forms mean equal values. */
export function canonical(value: unknown, loose: boolean): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, loose)).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = declaredKeys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k], loose)}`).join(',')}}`;
  }
  if (value === undefined) return 'undefined';
  if (loose && isScalar(value)) return JSON.stringify(String(value));
  return JSON.stringify(value);
}

export function deepEqual(a: unknown, b: unknown, loose: boolean): boolean {
  return canonical(a, loose) === canonical(b, loose);
}
