// JSON values as every layer handles them: the one object test, deep copies that keep key order, the canonical
// text form (sorted keys, optionally DSS's loose scalars) and the equality built on it. Pure: no I/O, no clock.

export type Json = Record<string, unknown>;

/** A JSON object: not `null`, not an array. */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** A declared key: present and not `undefined` (YAML and builders leave `undefined` for "not declared"). */
export function declaredKeys(obj: Json): string[] {
  return Object.keys(obj).filter((k) => obj[k] !== undefined);
}

/** Sets an own property, even `__proto__`, without touching the prototype chain. */
export function setOwn(obj: Json, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Deep copy that keeps key order, so that untouched parts of a live object are written back as they came. */
export function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => deepCopy(v)) as T;
  if (isObject(value)) {
    const out: Json = {};
    for (const k of Object.keys(value)) setOwn(out, k, deepCopy(value[k]));
    return out as T;
  }
  return value;
}

/** Characters that JSON.stringify writes escaped: the quote, the backslash, control characters, surrogates. */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON.stringify of a value that is no object nor array, without its general entry: the canonical forms below
 * write one per scalar of every object compared or hashed.
 */
export function scalarJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return value === null ? 'null' : (JSON.stringify(value) as string);
  }
}

/**
 * The keys of an object in code-unit order (the default sort of strings): an insertion sort, as objects have a
 * handful of keys, for which Array.prototype.sort costs more than the sorting.
 */
export function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    if ((keys[j] as string) <= key) continue;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * A stable text form: sorted keys (a key holding `undefined` is no key, as in the JSON sent), and with `loose`
 * scalars as strings (DSS stores many settings as `"10"`, `"true"`). Equal forms mean equal values.
 */
export function canonical(value: unknown, loose = false): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, loose)).join(',')}]`;
  if (isObject(value)) {
    const keys = declaredKeys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k], loose)}`).join(',')}}`;
  }
  if (value === undefined) return 'undefined';
  if (loose && isScalar(value)) return JSON.stringify(String(value));
  return JSON.stringify(value);
}

/**
 * Whether two values are equal walked at once, the walk stopping at the first difference: arrays item by item,
 * objects by their declared keys in any order (a key holding `undefined` is no key), anything else (scalars,
 * `null`, `undefined`) by `sameLeaf`. The equality of a canonical form, without building its text.
 */
export function sameTree(a: unknown, b: unknown, sameLeaf: (a: unknown, b: unknown) => boolean): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameTree(a[i], b[i], sameLeaf)) return false;
    return true;
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    // for-in and not Object.keys: no array of keys per object compared.
    let keys = 0;
    for (const key in a) {
      if (!Object.hasOwn(a, key) || a[key] === undefined) continue;
      keys += 1;
      if (!Object.hasOwn(b, key) || b[key] === undefined || !sameTree(a[key], b[key], sameLeaf)) return false;
    }
    for (const key in b) if (Object.hasOwn(b, key) && b[key] !== undefined) keys -= 1;
    return keys === 0;
  }
  return sameLeaf(a, b);
}

const sameCanonical = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);
const sameLooseCanonical = (a: unknown, b: unknown): boolean => canonical(a, true) === canonical(b, true);

/**
 * Structural equality of JSON values, key order aside; `loose` compares scalars by their string form. The answer of
 * comparing their canonical forms (sameTree).
 */
export function deepEqual(a: unknown, b: unknown, loose = false): boolean {
  return sameTree(a, b, loose ? sameLooseCanonical : sameCanonical);
}
