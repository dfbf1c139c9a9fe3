// What a Connection plan compares: the live definition reduced to the shape of the declared fields, with each
// declared credential compared as secrets.ts says (DSS shows it encrypted), and the notices that tell the user
// what the plan cannot see.

import { isObject, type Json } from '../../base/json.js';
import { compareText } from '../../base/order.js';
import { asObject, pick } from '../managed-write.js';
import type { ResourceUnit } from '../types.js';
import { credentialPath, credentialPointers, credentialState, isRedacted, ROTATE_ANNOTATION, setAt, valueAt } from './secrets.js';

export function sortedGroups(value: unknown): string[] {
  return Array.isArray(value) ? [...new Set(value.filter((g): g is string => typeof g === 'string'))].sort(compareText) : [];
}

/** The live definition in the shape of `desired`, credentials compared as secrets.ts says, and the plan's notices. */
export function viewOf(unit: ResourceUnit, raw: Json): { view: Json; notices: string[]; pending: string[] } {
  const desired = unit.desired;
  const { params: _params, allowedGroups: _groups, detailsReadability: _readability, ...plain } = desired;
  const view: Json = pick(raw, plain);
  if (desired.allowedGroups !== undefined) view.allowedGroups = sortedGroups(raw.allowedGroups);
  if (isObject(desired.detailsReadability)) {
    const live = asObject(raw.detailsReadability);
    const readability: Json = {};
    if (desired.detailsReadability.readableBy !== undefined && live.readableBy !== undefined) readability.readableBy = live.readableBy;
    if (desired.detailsReadability.allowedGroups !== undefined) readability.allowedGroups = sortedGroups(live.allowedGroups);
    view.detailsReadability = readability;
  }
  const notices: string[] = [];
  const pending: string[] = [];
  if (!isObject(desired.params)) return { view, notices, pending };
  const params = pick(asObject(structuredClone(raw.params)), desired.params);
  view.params = params;
  const rotate = unit.doc.metadata.annotations?.[ROTATE_ANNOTATION] === 'true';
  for (const pointer of credentialPointers(desired.params)) {
    const declared = valueAt(desired.params, pointer);
    if (typeof declared !== 'string') continue;
    const state = credentialState(raw, pointer, declared);
    const what = `${unit.address}: ${credentialPath(pointer)}`;
    if (state === 'same') setAt(params, pointer, declared);
    if (state === 'unknown' && !rotate) setAt(params, pointer, declared);
    if (!isRedacted(valueAt(raw.params, pointer))) continue;
    if (state === 'same') {
      notices.push(
        `${what} is write-only (DSS returns it encrypted): compared with the hash recorded when dss-gitops wrote it; ` +
          `a change made to it in DSS cannot be seen (\`apply --replace ${unit.address}\` writes it again)`,
      );
    } else if (state === 'unknown') {
      notices.push(
        `${what} cannot be compared (DSS returns it encrypted and dss-gitops recorded no hash of it): a change made to it in DSS cannot be seen; ` +
          (rotate ? `${ROTATE_ANNOTATION} asks to write the declared value` : `annotate ${ROTATE_ANNOTATION}: "true" to write the declared value`),
      );
    } else if (state === 'rotated') {
      notices.push(`${what} differs from the value dss-gitops last wrote (rotated in the manifests or the environment): pending, apply writes it`);
      pending.push(`/params${pointer}`);
    }
  }
  return { view, notices, pending };
}
