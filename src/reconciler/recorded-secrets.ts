// Where an object held a secret when it was applied. A plan masks the values the current manifests mark secret,
// and the run's registry scrubs the secrets it resolved; neither knows a secret applied earlier into a field with
// an ordinary name once the manifests stop naming it, although DSS still holds it there until the next apply. The
// ownership record keeps those pointers per address (never a value), and the plan masks the live side there.

import { maskBefore, SecretMatcher } from '../diff/sensitive.js';
import { parsePointer, PointerSet } from '../diff/pointer.js';
import type { FieldChange } from '../diff/types.js';
import type { ResourceUnit } from '../resources/types.js';
import { expandPointer, getPointer, sensitivePointersOf } from './hash.js';

/** More secret places than any object holds: a record listing more is cut to this many (see record-check.ts). */
export const MAX_SECRET_POINTERS = 100;

/**
 * The pointers (relative to `unit.desired`) at which applying `unit` writes a secret, except those the kind masks by
 * name anyway (`warehousePassword`), and the `previous` ones the unit does not write over: there DSS keeps the
 * secret applied earlier. Sorted, at most MAX_SECRET_POINTERS.
 */
export function secretPointersOf(unit: ResourceUnit, previous: readonly string[] = []): string[] {
  const patterns = sensitivePointersOf(unit);
  // Most units hold no secret: nothing to match or expand (a plan asks this of every unit).
  if (patterns.length === 0 && previous.length === 0) return [];
  const named = new SecretMatcher([], unit.policy.secretNamedKeys);
  const written = patterns.flatMap((pattern) => expandPointer(unit.desired, pattern));
  const out = new Set(written.filter((p) => p !== '' && !named.covers(parsePointer(p))));
  for (const p of previous) if (getPointer(unit.desired, p) === undefined) out.add(p);
  return [...out].sort().slice(0, MAX_SECRET_POINTERS);
}

/** The changes with their live side masked where the record says a secret was applied. */
export function maskRecordedSecrets(changes: FieldChange[], pointers: readonly string[] | undefined): FieldChange[] {
  if (pointers === undefined || pointers.length === 0) return changes;
  const set = new PointerSet(pointers);
  return changes.map((c) => maskBefore(c, set));
}
