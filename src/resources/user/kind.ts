// `User`: a user of the design node, `User/LOGIN`, instance-scoped. Created with `POST /admin/users/` (login,
// password, display name, source type, groups, profile, email); its settings (`GET|PUT /admin/users/{login}`)
// are written by GET-modify-PUT. `groups` is exact when declared; `enabled` is true unless declared false. The
// password is write-only (see password.ts). Deleting a user destroys what they own in DSS: prune disables it
// (`softDelete`) unless the document opts in to deletion.

import { pathSegment } from '../../base/dss-path.js';
import { type Json } from '../../base/json.js';
import type { DiffPolicy } from '../../diff/types.js';
import { DssGitopsError } from '../../errors.js';
import { addressOf, parseAddress } from '../../manifest/address.js';
import type { ManifestDocument } from '../../manifest/types.js';
import { listedPerRun, listNames } from '../admin-list.js';
import { BUILT_IN_GROUPS, GROUP_KIND } from '../group/kind.js';
import { createResolvingLostAnswer, deleteIfPresent } from '../lost-answer.js';
import { freshWrite, overlay, sensitiveUnder } from '../managed-write.js';
import type { DocumentReference, KindContext, LiveState, ResourceKind, ResourceUnit } from '../types.js';
import { userExport } from './export.js';
import { checkLiteralPassword, literalPasswordError, passwordNotice, passwordState } from './password.js';
import { userSchema } from './schema.js';

export const USER_KIND = 'User';
const USERS_ROUTE = '/admin/users/';

/** Settings fields managed when declared, besides `enabled` (always) and the password (write-only). */
const FIELDS = ['displayName', 'email', 'groups', 'userProfile', 'sourceType'] as const;

export function userPath(login: string): string {
  return `/admin/users/${pathSegment(login)}`;
}

export function userDesired(spec: Json): Json {
  const desired: Json = {};
  for (const field of FIELDS) if (spec[field] !== undefined) desired[field] = spec[field];
  desired.enabled = spec.enabled !== false;
  if (typeof spec.password === 'string') desired.password = spec.password;
  return desired;
}

/** The settings reduced to the shape of `desired`, password aside: no groups is an empty list, absent `enabled` true. */
export function userView(settings: Json, desired: Json): Json {
  const view: Json = {};
  for (const field of FIELDS) {
    if (!(field in desired)) continue;
    if (field === 'groups') view.groups = Array.isArray(settings.groups) ? settings.groups : [];
    else if (settings[field] !== undefined) view[field] = settings[field];
  }
  view.enabled = settings.enabled !== false;
  return view;
}

function userPolicy(doc: ManifestDocument): DiffPolicy {
  return { sets: ['/groups'], exact: ['/groups'], sensitive: [...new Set(['/password', ...sensitiveUnder(doc, '/spec')])] };
}

function declaredGroups(doc: ManifestDocument): string[] {
  const groups = doc.spec.groups;
  return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [];
}

function loginOfAddress(address: string): string {
  const parsed = parseAddress(address);
  if (!parsed || parsed.kind !== USER_KIND) throw new DssGitopsError('BAD_ADDRESS', `${address} is not a user address`);
  return parsed.name;
}

function withoutPassword(desired: Json): Json {
  const { password: _password, ...rest } = desired;
  return rest;
}

/** GET-modify-PUT of the settings with `fields` laid over them. */
async function writeSettings(ctx: KindContext, unit: ResourceUnit, fields: Json): Promise<void> {
  await freshWrite(ctx.client, userPath(unit.doc.metadata.name), (live) => overlay(live, fields, unit.policy));
}

function refuseLiteral(unit: ResourceUnit): string[] {
  return passwordState(unit.doc) === 'literal' ? [literalPasswordError(unit.address)] : [];
}

export const userKind: ResourceKind = {
  kind: USER_KIND,
  node: 'design',
  schema: userSchema,
  ownership: 'instance',
  pruneNeedsOptIn: 'soft',
  ...userExport,
  checkDocument: (doc) => checkLiteralPassword(doc, addressOf(USER_KIND, doc.metadata.name)),

  units(doc) {
    const unit: ResourceUnit = {
      address: addressOf(USER_KIND, doc.metadata.name),
      kind: USER_KIND,
      doc,
      desired: userDesired(doc.spec),
      policy: userPolicy(doc),
      dependsOn: [],
    };
    const groups = declaredGroups(doc);
    if (groups.length > 0) unit.orderAfter = groups.map((g) => addressOf(GROUP_KIND, g));
    return [unit];
  },

  references(doc) {
    const refs: DocumentReference[] = [];
    declaredGroups(doc).forEach((group, i) => {
      if (BUILT_IN_GROUPS.has(group)) return;
      refs.push({ pointer: `/spec/groups/${i}`, address: addressOf(GROUP_KIND, group), what: `group \`${group}\`` });
    });
    return refs;
  },

  async read(ctx, unit) {
    // `GET /admin/users/` gives every managed field of every user: one request for all the users of a run.
    const raw = (await listedPerRun(ctx, USERS_ROUTE, 'login')).get(unit.doc.metadata.name);
    if (raw === undefined) return undefined;
    const live: LiveState = { view: userView(raw, unit.desired), raw };
    // Nothing to compare the password with: the declared one stands in, unless it is to be written (or refused).
    if (passwordState(unit.doc) === 'declared') {
      live.view.password = unit.desired.password;
      live.notices = [passwordNotice(unit.address)];
    }
    return live;
  },

  validateCreate: (unit) => refuseLiteral(unit),
  validateChange: (unit) => refuseLiteral(unit),

  async create(ctx, unit) {
    const errors = refuseLiteral(unit);
    if (errors.length > 0) throw new DssGitopsError('LITERAL_PASSWORD', errors.join('; '), { fault: 'user' });
    const login = unit.doc.metadata.name;
    const body: Json = { login };
    for (const field of FIELDS) if (unit.desired[field] !== undefined) body[field] = unit.desired[field];
    if (typeof unit.desired.password === 'string') body.password = unit.desired.password;
    const created = await createResolvingLostAnswer(ctx, {
      address: unit.address,
      send: () => ctx.client.postJson(USERS_ROUTE, body),
      readBack: () => ctx.client.getOrAbsent(userPath(login)),
      // A user is its login: one found under it is this one, its fields are written next.
      mismatch: () => undefined,
    });
    // POST sets every managed field but `enabled`, which DSS starts true: a GET-modify-PUT only for a user created
    // disabled, or found by reading back after a lost answer (made by an earlier attempt, or by someone else).
    if (created.found !== undefined || unit.desired.enabled === false) await writeSettings(ctx, unit, withoutPassword(unit.desired));
  },

  async update(ctx, unit, live) {
    // The password only when the plan has it as a change (rotation asked for): never sent unplanned.
    const rotate = live.view.password === undefined && typeof unit.desired.password === 'string';
    if (rotate) {
      const errors = refuseLiteral(unit);
      if (errors.length > 0) throw new DssGitopsError('LITERAL_PASSWORD', errors.join('; '), { fault: 'user' });
    }
    await writeSettings(ctx, unit, rotate ? unit.desired : withoutPassword(unit.desired));
  },

  async delete(ctx, address) {
    await deleteIfPresent(ctx, userPath(loginOfAddress(address)));
  },

  async softDelete(ctx, address) {
    const path = userPath(loginOfAddress(address));
    await freshWrite(
      ctx.client,
      path,
      (live) => (Object.keys(live).length === 0 ? undefined : { ...live, enabled: false }),
      () => ctx.client.getOrAbsent(path),
    );
  },

  async listOnNode(client, ctx) {
    // The plan read the whole list already: drift's listing is the same answer.
    if (ctx !== undefined) return [...(await listedPerRun(ctx, USERS_ROUTE, 'login')).keys()];
    return listNames(client, USERS_ROUTE, 'login');
  },
};
