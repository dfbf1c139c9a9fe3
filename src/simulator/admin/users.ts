// Users of the design node, as Dataiku's official client uses them (`list_users`, `create_user`, `DSSUser`'s
// `get_settings` and `DSSUserSettings.save`, `delete`): `GET|POST /admin/users/`, `GET|PUT|DELETE
// /admin/users/{login}`. The list gives each user's basic fields, the whole settings with `includeSettings=true`. Settings are stored as the last PUT wrote them, with what DSS keeps to itself:
// - the password is write-only: a POST or PUT that carries one replaces it, no answer ever holds it;
// - the values of the user's secrets are not given back; a PUT of a secret without its value keeps the stored one;
// - the login and the creation date cannot change; every group named must exist.
// Administrators only.

import { illegalArgument, notFound } from '../errors.js';
import type { Router, SimRequest } from '../router.js';
import { isObject } from '../../base/json.js';
import type { DesignState, Json } from '../design/state.js';
import { hashPassword, NAME_PATTERN, newUserSettings, securityOf, type UserRecord } from './security-state.js';

function userOf(state: DesignState, login: string): UserRecord {
  const user = securityOf(state).users[login];
  if (user === undefined) throw notFound(`User ${login} does not exist`);
  return user;
}

/** The settings as an answer gives them: secret values left out. */
function readable(settings: Json): Json {
  const copy = structuredClone(settings);
  if (Array.isArray(copy.secrets)) {
    copy.secrets = copy.secrets.map((s: unknown) => {
      if (!isObject(s)) return s;
      const { value: _value, ...rest } = s;
      return rest;
    });
  }
  return copy;
}

/** What `list_users` gives of a user: the basic fields, or the whole settings with `includeSettings=true`. */
const LISTED_FIELDS = ['login', 'displayName', 'email', 'groups', 'userProfile', 'sourceType', 'enabled', 'creationDate'];

function listed(settings: Json, full: boolean): Json {
  if (full) return readable(settings);
  return Object.fromEntries(LISTED_FIELDS.filter((f) => settings[f] !== undefined).map((f) => [f, structuredClone(settings[f])]));
}

/** Secrets sent without a value keep the value stored under the same name. */
function withStoredSecrets(sent: unknown, stored: unknown): unknown {
  if (!Array.isArray(sent)) return sent;
  const before = new Map<string, unknown>();
  if (Array.isArray(stored)) for (const s of stored) if (isObject(s) && typeof s.name === 'string') before.set(s.name, s.value);
  return sent.map((s: unknown) => {
    if (!isObject(s) || s.value !== undefined || typeof s.name !== 'string' || !before.has(s.name)) return s;
    return { ...s, value: before.get(s.name) };
  });
}

function checkGroups(state: DesignState, groups: unknown): void {
  if (groups === undefined) return;
  if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string')) throw illegalArgument("Field 'groups' must be a list of group names");
  const known = securityOf(state).groups;
  const missing = groups.filter((g) => known[g] === undefined);
  if (missing.length > 0) throw illegalArgument(`Group ${missing.join(', ')} does not exist`);
}

function checkTyped(body: Json): void {
  for (const field of ['displayName', 'email', 'userProfile', 'sourceType']) {
    const value = body[field];
    if (value !== undefined && value !== null && typeof value !== 'string') throw illegalArgument(`Field '${field}' must be a string`);
  }
  if (body.enabled !== undefined && typeof body.enabled !== 'boolean') throw illegalArgument("Field 'enabled' must be a boolean");
  if (body.password !== undefined && body.password !== null && typeof body.password !== 'string') {
    throw illegalArgument("Field 'password' must be a string");
  }
}

/** A password sent with a write: a non-empty text replaces the stored one; absent or empty keeps it. */
function newPassword(body: Json): string | undefined {
  return typeof body.password === 'string' && body.password !== '' ? body.password : undefined;
}

/** Duplicates are kept once, in the order sent. */
function uniqueGroups(groups: unknown): unknown {
  return Array.isArray(groups) ? [...new Set(groups)] : groups;
}

const loginOf = (req: SimRequest): string => req.params.login ?? '';

export function registerUserRoutes(router: Router): void {
  const admin = { adminOnly: true };
  router.get(
    '/admin/users',
    (req, ctx) => {
      const users = securityOf(ctx.state.design).users;
      const full = req.query.get('includeSettings') === 'true';
      return { json: Object.keys(users).sort().map((login) => listed((users[login] as UserRecord).settings, full)) };
    },
    admin,
  );
  router.post(
    '/admin/users',
    (req, ctx) => {
      if (!isObject(req.body)) throw illegalArgument('Expected a JSON object with the user login');
      const { login, password: _password, ...fields } = req.body;
      if (typeof login !== 'string' || !NAME_PATTERN.test(login)) throw illegalArgument(`Invalid login: ${JSON.stringify(login)}`);
      const security = securityOf(ctx.state.design);
      if (security.users[login] !== undefined) throw illegalArgument(`User ${login} already exists`);
      checkTyped(req.body);
      checkGroups(ctx.state.design, fields.groups);
      const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined));
      if (given.groups !== undefined) given.groups = uniqueGroups(given.groups);
      const record: UserRecord = { settings: newUserSettings(login, structuredClone(given), ctx.now()) };
      const password = newPassword(req.body);
      if (password !== undefined) record.passwordHash = hashPassword(password);
      security.users[login] = record;
      ctx.changed();
      return { json: readable(record.settings) };
    },
    admin,
  );
  router.get('/admin/users/:login', (req, ctx) => ({ json: readable(userOf(ctx.state.design, loginOf(req)).settings) }), admin);
  router.put(
    '/admin/users/:login',
    (req, ctx) => {
      const login = loginOf(req);
      const record = userOf(ctx.state.design, login);
      if (!isObject(req.body)) throw illegalArgument('Expected a JSON object: the user settings');
      if (req.body.login !== undefined && req.body.login !== login) throw illegalArgument(`A user's login cannot change (${login})`);
      checkTyped(req.body);
      checkGroups(ctx.state.design, req.body.groups);
      const { password: _password, ...settings } = structuredClone(req.body);
      if (settings.groups !== undefined) settings.groups = uniqueGroups(settings.groups);
      settings.secrets = withStoredSecrets(settings.secrets, record.settings.secrets);
      if (settings.secrets === undefined) delete settings.secrets;
      record.settings = { ...settings, login, creationDate: record.settings.creationDate };
      const password = newPassword(req.body);
      if (password !== undefined) record.passwordHash = hashPassword(password);
      ctx.changed();
      return { json: {} };
    },
    admin,
  );
  router.delete(
    '/admin/users/:login',
    (req, ctx) => {
      const login = loginOf(req);
      userOf(ctx.state.design, login);
      delete securityOf(ctx.state.design).users[login];
      ctx.changed();
      return { json: {} };
    },
    admin,
  );
}
