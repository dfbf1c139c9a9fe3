// Helpers the Project Deployer kinds share: who changed a deployer object last (drift reports), the permission
// flags of deployer objects, and settings writes that skip a PUT when nothing managed changed.

import type { DiffPolicy } from '../diff/types.js';
import { grantPolicy, normalizeGrants } from './grants.js';
import { deepEqual, isObject, type Json } from '../base/json.js';
import { asObject, overlay, pick } from './managed-write.js';
import type { KindContext, LiveState, ResourceUnit } from './types.js';

/** Flags of a published project grant (`read`, `write`, `deploy`, `admin` in the reference). */
export const PUBLISHED_PROJECT_GRANT_FLAGS = ['read', 'write', 'deploy', 'admin'] as const;
/** Flags of an infra grant. */
export const INFRA_GRANT_FLAGS = ['read', 'deploy', 'admin'] as const;

/** Server-managed parts of deployer settings: never compared, never written. */
export const DEPLOYER_SERVER_MANAGED = ['/versionTag', '/creationTag', '/id'];

/** `versionTag.lastModifiedBy.login` and `lastModifiedOn` (epoch ms) as the drift report shows them. */
export function changedByOf(settings: unknown): LiveState['changedBy'] | undefined {
  const tag = isObject(settings) ? settings.versionTag : undefined;
  if (!isObject(tag)) return undefined;
  const out: { by?: string; at?: string } = {};
  const login = isObject(tag.lastModifiedBy) ? tag.lastModifiedBy.login : undefined;
  if (typeof login === 'string') out.by = login;
  if (typeof tag.lastModifiedOn === 'number') out.at = new Date(tag.lastModifiedOn).toISOString();
  return out.by === undefined && out.at === undefined ? undefined : out;
}

/** A policy with `permissions` exact and keyed by group or user, besides the kind's own parts. */
export function withGrants(policy: DiffPolicy): DiffPolicy {
  const grants = grantPolicy('/permissions');
  return {
    ...policy,
    keyedLists: { ...policy.keyedLists, ...grants.keyedLists },
    exact: [...(policy.exact ?? []), ...(grants.exact ?? [])],
  };
}

/** The live view of settings in the shape of `desired`, grants expanded to every flag. */
export function settingsView(settings: Json, desired: Json, flags: readonly string[]): Json {
  const view = pick(settings, desired);
  if (desired.permissions !== undefined) view.permissions = normalizeGrants(settings.permissions, flags);
  return view;
}

/** The desired grants with every flag spelled out, as DSS stores them. */
export function desiredGrants(spec: Json, flags: readonly string[]): Json[] | undefined {
  return spec.permissions === undefined ? undefined : normalizeGrants(spec.permissions, flags);
}

/** GET-modify-PUT of a settings object from `live`; no request when the managed fields already agree. */
export async function putSettings(ctx: KindContext, path: string, unit: ResourceUnit, live: unknown, desired: Json = unit.desired): Promise<Json> {
  const current = asObject(live);
  const body = overlay(current, desired, unit.policy);
  if (deepEqual(body, current)) return current;
  await ctx.client.putJson(path, body);
  return body;
}
