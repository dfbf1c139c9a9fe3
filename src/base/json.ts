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

/** Structural equality of JSON values, key order aside; `loose` compares scalars by their string form. */
export function deepEqual(a: unknown, b: unknown, loose = false): boolean {
  return a === b || canonical(a, loose) === canonical(b, loose);
}
