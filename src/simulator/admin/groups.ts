// Groups of the design node, as Dataiku's official client uses them (`list_groups`, `create_group`, `DSSGroup`'s
// `get_definition`, `set_definition`, `delete`): `GET|POST /admin/groups/`, `GET|PUT|DELETE /admin/groups/{name}`.
// A definition is stored as the last PUT wrote it; its name cannot change. Deleting a group takes it out of every
// user's groups: the users stay. Administrators only.

import { illegalArgument, notFound } from '../errors.js';
import type { Router, SimRequest } from '../router.js';
import { isObject } from '../../base/json.js';
import type { DesignState, Json } from '../design/state.js';
import { GROUP_MAPPING_LISTS, GROUP_PERMISSION_FLAGS, NAME_PATTERN, newGroup, securityOf } from './security-state.js';

function groupOf(state: DesignState, name: string): Json {
  const group = securityOf(state).groups[name];
  if (group === undefined) throw notFound(`Group ${name} does not exist`);
  return group;
}

function optionalText(body: Json, field: string, fallback: string): string {
  const value = body[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw illegalArgument(`Field '${field}' must be a string`);
  return value;
}

/** The checks DSS makes on a definition's typed fields; every other field is kept as sent. */
function checkDefinition(body: Json): void {
  for (const list of GROUP_MAPPING_LISTS) {
    const value = body[list];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
      throw illegalArgument(`Field '${list}' must be a list of group names`);
    }
  }
  for (const flag of GROUP_PERMISSION_FLAGS) {
    const value = body[flag];
    if (value !== undefined && value !== null && typeof value !== 'boolean') throw illegalArgument(`Field '${flag}' must be a boolean`);
  }
  optionalText(body, 'description', '');
  optionalText(body, 'sourceType', 'LOCAL');
}

const nameOf = (req: SimRequest): string => req.params.name ?? '';

export function registerGroupRoutes(router: Router): void {
  const admin = { adminOnly: true };
  router.get(
    '/admin/groups',
    (_req, ctx) => {
      const groups = securityOf(ctx.state.design).groups;
      return { json: Object.keys(groups).sort().map((name) => structuredClone(groups[name])) };
    },
    admin,
  );
  router.post(
    '/admin/groups',
    (req, ctx) => {
      if (!isObject(req.body)) throw illegalArgument('Expected a JSON object with the group name');
      const name = req.body.name;
      if (typeof name !== 'string' || !NAME_PATTERN.test(name)) throw illegalArgument(`Invalid group name: ${JSON.stringify(name)}`);
      const security = securityOf(ctx.state.design);
      if (security.groups[name] !== undefined) throw illegalArgument(`Group ${name} already exists`);
      const group = newGroup(name, optionalText(req.body, 'description', ''), optionalText(req.body, 'sourceType', 'LOCAL'));
      security.groups[name] = group;
      ctx.changed();
      return { json: structuredClone(group) };
    },
    admin,
  );
  router.get('/admin/groups/:name', (req, ctx) => ({ json: structuredClone(groupOf(ctx.state.design, nameOf(req))) }), admin);
  router.put(
    '/admin/groups/:name',
    (req, ctx) => {
      const name = nameOf(req);
      groupOf(ctx.state.design, name);
      if (!isObject(req.body)) throw illegalArgument('Expected a JSON object: the group definition');
      if (req.body.name !== undefined && req.body.name !== name) throw illegalArgument(`A group cannot be renamed (${name})`);
      checkDefinition(req.body);
      securityOf(ctx.state.design).groups[name] = { ...structuredClone(req.body), name };
      ctx.changed();
      return { json: {} };
    },
    admin,
  );
  router.delete(
    '/admin/groups/:name',
    (req, ctx) => {
      const name = nameOf(req);
      groupOf(ctx.state.design, name);
      const security = securityOf(ctx.state.design);
      delete security.groups[name];
      for (const user of Object.values(security.users)) {
        const groups = user.settings.groups;
        if (Array.isArray(groups) && groups.includes(name)) user.settings.groups = groups.filter((g) => g !== name);
      }
      ctx.changed();
      return { json: {} };
    },
    admin,
  );
}
