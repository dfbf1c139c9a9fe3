// Permission grants as DSS stores them: one item per group or user, every flag spelled out. Grants are exact
// (DESIGN §4): a flag a manifest does not declare is false, so both sides are expanded to the full flag set
// before comparing, and the written item carries every flag explicitly.

import { byText } from '../base/order.js';
import type { DiffPolicy } from '../diff/types.js';
import { isObject, type Json } from '../base/json.js';
import type { KeyedList } from '../manifest/duplicates.js';

/** The grants of a document, keyed by group or user: `keyedLists` of every kind with permissions. */
export const GRANT_LISTS: readonly KeyedList[] = [{ pointer: '/spec/permissions', item: 'grant', keys: ['group', 'user'] }];

/** The flags of a project grant in DSS 12 and later (`GET /projects/{key}/permissions`). */
export const PROJECT_GRANT_FLAGS = [
  'admin',
  'readProjectContent',
  'writeProjectContent',
  'shareToWorkspaces',
  'exportDatasetsData',
  'readDashboards',
  'writeDashboards',
  'moderateDashboards',
  'runScenarios',
  'manageDashboardAuthorizations',
  'manageExposedElements',
  'manageAdditionalDashboardUsers',
  'executeApp',
] as const;

/** The flags of a project folder grant (`GET /project-folders/{id}/settings`). */
export const FOLDER_GRANT_FLAGS = ['read', 'writeContents', 'admin'] as const;

export const GRANT_KEYS = ['group', 'user'];

/**
 * The part of a policy that makes `pointer` (a list of grants) exact and keyed by group or user. Items are merged,
 * not exact: fields of a live grant that are not flags (DSS may add some) survive, and every flag is declared
 * on the desired side anyway.
 */
export function grantPolicy(pointer: string): DiffPolicy {
  return { keyedLists: { [pointer]: GRANT_KEYS }, exact: [pointer] };
}

/**
 * A grant with its key first and every flag present: declared flags as given, the others false. Flags DSS
 * returns that this version does not know are kept, so they are compared too.
 */
export function normalizeGrant(grant: unknown, flags: readonly string[]): Json {
  const source = isObject(grant) ? grant : {};
  const out: Json = {};
  for (const key of GRANT_KEYS) if (typeof source[key] === 'string') out[key] = source[key];
  for (const flag of flags) out[flag] = source[flag] === true;
  for (const [key, value] of Object.entries(source)) {
    if (!(key in out) && typeof value === 'boolean') out[key] = value;
  }
  return out;
}

export function normalizeGrants(grants: unknown, flags: readonly string[]): Json[] {
  if (!Array.isArray(grants)) return [];
  return grants.map((grant) => normalizeGrant(grant, flags)).sort(byText(grantId));
}

function grantId(grant: Json): string {
  return typeof grant.group === 'string' ? `group:${grant.group}` : `user:${String(grant.user)}`;
}
