// Helpers the kinds share to write managed fields: the desired values laid over a live object the way the diff
// compares them, the fresh GET-modify-PUT, and sensitive pointers.

import { deepEqual, isObject, type Json } from '../base/json.js';
import { applyManaged } from '../diff/apply-managed.js';
import { objectAnswer } from '../dss/answer.js';
import { DssApiError } from '../dss/errors.js';
import type { DssClient } from '../dss/types.js';
import type { DiffPolicy } from '../diff/types.js';
import type { ManifestDocument } from '../manifest/types.js';


/**
 * `live` with the managed fields of `desired` set on it, following `policy` (merged maps, exact blocks, keyed
 * lists, ignored paths). Every field `desired` does not manage is kept as it is. Never mutates its arguments.
 */
export function overlay(live: Json, desired: Json, policy: DiffPolicy): Json {
  return applyManaged(live, desired, policy);
}

/**
 * The pointers of `doc.sensitivePaths` under `docPrefix` (e.g. `/spec/variables`), rebased onto a unit whose
 * compared object starts at that prefix (`/spec/variables/standard/pw` → `/standard/pw`).
 */
export function sensitiveUnder(doc: ManifestDocument, docPrefix: string): string[] {
  return doc.sensitivePaths.filter((p) => p.startsWith(`${docPrefix}/`)).map((p) => p.slice(docPrefix.length));
}

/** Copies the keys of `source` that `shape` has, so a live view has the shape of the desired object. */
export function pick(source: Json, shape: Json): Json {
  const out: Json = {};
  for (const key of Object.keys(shape)) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

export function asObject(value: unknown): Json {
  return isObject(value) ? value : {};
}

/** Re-merges of one write after DSS refused it as a concurrent change, before the refusal stands. */
const MAX_MERGES = 3;

/**
 * GET-modify-PUT with the GET right before the PUT: `build` lays the managed fields over the object DSS has now
 * (undefined or an equal object: nothing to write), so a change made in DSS since the plan read it, to a field
 * the manifest does not manage, is kept. The body carries the `versionTag` of that GET where DSS has one; a save
 * DSS refuses as concurrent (409) is read and merged again, a bounded number of times. Returns what was written,
 * or the live object when nothing was.
 */
export async function freshWrite(
  client: DssClient,
  path: string,
  build: (live: Json) => Json | undefined,
  read: () => Promise<unknown> = () => client.getJson(path),
): Promise<Json> {
  for (let merge = 1; ; merge++) {
    // Absent (a read that allows 404) is an empty object to lay the fields over; any other non-object is refused.
    const answer = await read();
    const live = answer === undefined ? {} : objectAnswer(answer, `GET ${path}`);
    const body = build(live);
    if (body === undefined || deepEqual(body, live)) return live;
    try {
      await client.putJson(path, body);
      return body;
    } catch (error) {
      if (!(error instanceof DssApiError && error.status === 409) || merge >= MAX_MERGES) throw error;
    }
  }
}
