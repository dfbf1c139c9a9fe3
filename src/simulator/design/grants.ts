// Permission grants as DSS stores them: an object per group or user holding every flag of its kind, so that
// a GET after a save shows each flag, false unless granted.

import { illegalArgument } from '../errors.js';
import type { Json } from './state.js';

/** The flags of a project grant (`/projects/{key}/permissions`). */
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

/**
 * A grant as DSS answers it after a save: its group or user, then every flag (false unless set). A flag given
 * as something else than a boolean is refused; other fields are kept as sent.
 */
export function withEveryFlag(entry: Json, flags: readonly string[]): Json {
  const out: Json = {};
  if (typeof entry.group === 'string') out.group = entry.group;
  if (typeof entry.user === 'string') out.user = entry.user;
  for (const flag of flags) {
    const value = entry[flag];
    if (value !== undefined && typeof value !== 'boolean') throw illegalArgument(`Permission flag '${flag}' must be a boolean`);
    out[flag] = value === true;
  }
  return { ...out, ...entry, ...Object.fromEntries(flags.map((flag) => [flag, out[flag]])) };
}

/** The flags of a project folder grant, as in the reference's folder settings example. */
export const FOLDER_GRANT_FLAGS = ['read', 'writeContents', 'admin'] as const;

/** The flags of a published project grant on the Project Deployer (the reference's settings schema). */
export const PUBLISHED_PROJECT_GRANT_FLAGS = ['read', 'write', 'deploy', 'admin'] as const;

/** The flags of an infra grant on the Project Deployer (the reference's settings schema). */
export const INFRA_GRANT_FLAGS = ['read', 'deploy', 'admin'] as const;

/** A list of grants as DSS stores it; each must name a group or a user. */
export function grantsWithEveryFlag(grants: unknown, flags: readonly string[]): Json[] {
  if (!Array.isArray(grants)) throw illegalArgument('permissions must be a list');
  return grants.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw illegalArgument('Each permission must be an object');
    const grant = entry as Json;
    if (typeof grant.group !== 'string' && typeof grant.user !== 'string') throw illegalArgument('Each permission names a group or a user');
    return withEveryFlag(grant, flags);
  });
}
