// The one order of everything rendered (plans, drift reports, apply summaries, plan files, exports, payloads):
// UTF-16 code-unit order, as `Array.prototype.sort` without a comparator. Unlike `localeCompare`, it does not
// depend on the runtime's locale or ICU data, so the same input renders the same bytes on every machine.

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A comparator of objects by a text key, in code-unit order: `units.sort(byText((u) => u.address))`. */
export function byText<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => compareText(key(a), key(b));
}
