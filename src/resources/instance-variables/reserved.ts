// The instance variables dss-gitops keeps for itself: every key starting with `dss-gitops.` (the run lock
// `dss-gitops.lock`, the instance ownership record `dss-gitops.ownership`). They are never declared, never shown in
// a plan, and kept as they are by every write of the variables. Pure.

import type { Json } from '../../base/json.js';
import { isReservedVariable, RESERVED_VARIABLE_PREFIX } from '../../dss/instance-variables.js';

export const RESERVED_PREFIX = RESERVED_VARIABLE_PREFIX;
/** `RESERVED_PREFIX` as a schema pattern. */
export const RESERVED_PATTERN = `^${RESERVED_PREFIX.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;

export const isReserved = isReservedVariable;

/** The variables without dss-gitops's own keys. */
export function withoutReserved(variables: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(variables)) if (!isReserved(key)) out[key] = value;
  return out;
}

/**
 * The variables to write: `next` (declared and kept variables, none reserved) with every reserved key of `live`
 * kept as it is, in the live key order, new variables last.
 */
export function withReservedOf(live: Json, next: Json): Json {
  const out: Json = {};
  for (const key of Object.keys(live)) {
    if (isReserved(key)) out[key] = live[key];
    else if (Object.hasOwn(next, key)) out[key] = next[key];
  }
  for (const key of Object.keys(next)) if (!Object.hasOwn(out, key) && !isReserved(key)) out[key] = next[key];
  return out;
}
