// The fingerprint of one object's drift: which fields differ and what they now hold, reduced to a hash. It lets
// notifications tell "the same drift, seen again" from "a new change to an object that had already drifted",
// without keeping or sending any value. It stays in memory and is stripped from every message.

import { createHash } from 'node:crypto';
import type { FieldChange } from '../diff/types.js';

/** Key order must not change the hash: DSS returns maps in no guaranteed order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export function driftFingerprint(changes: FieldChange[]): string {
  const parts = changes
    .map((change) => JSON.stringify([change.pointer, change.kind, canonical(change.before), canonical(change.after)]))
    .sort();
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}
