// Connection routes, as Dataiku's official client calls them (`DSSClient.list_connections`, `create_connection`,
// `DSSConnection.get_settings` / `save` / `delete` / `get_info`):
//   GET    /admin/connections/          every connection, as a map of name → definition
//   POST   /admin/connections/          {name, type, params, usableBy, allowedGroups}
//   GET    /admin/connections/{name}    the definition, credentials in their encrypted form
//   PUT    /admin/connections/{name}    the whole definition
//   DELETE /admin/connections/{name}
//   GET    /connections/{name}/info     type, params and the resolved credentials
// Administrators' only, as in DSS. (DSS also answers `/info` to users its `detailsReadability` lets read the
// details; the node's keys carry no group membership, so that part is not simulated.)

import { isObject } from '../../base/json.js';
import { illegalArgument } from '../errors.js';
import type { Router, SimRequest } from '../router.js';
import {
  connectionsOf,
  connectionView,
  createConnection,
  credentialParams,
  deleteConnection,
  getConnection,
  saveConnection,
  type ConnectionRecord,
} from './connection-store.js';
import type { Json } from '../design/state.js';

function nameOf(req: SimRequest): string {
  return req.params.name ?? '';
}

function bodyOf(req: SimRequest): Json {
  if (!isObject(req.body)) throw illegalArgument('Expected a JSON object');
  return req.body;
}

/** What `get_info` gives: the params, credentials resolved (`resolvedBasicCredential`, `resolvedAWSCredential`). */
function connectionInfo(record: ConnectionRecord): Json {
  const view = connectionView(record);
  const params = isObject(record.definition.params) ? record.definition.params : {};
  const info: Json = { name: view.name, type: view.type, params: view.params };
  const secrets = credentialParams(record.definition.type, params);
  if (secrets.includes('password')) info.resolvedBasicCredential = { user: params.user ?? '', password: params.password ?? '' };
  if (secrets.includes('secretKey')) info.resolvedAWSCredential = { accessKey: params.accessKey ?? '', secretKey: params.secretKey ?? '' };
  return info;
}

export function registerConnectionRoutes(router: Router): void {
  const admin = { adminOnly: true };
  router.get(
    '/admin/connections',
    (_req, ctx) => {
      const all = connectionsOf(ctx.state.design);
      return { json: Object.fromEntries(Object.keys(all).sort().map((name) => [name, connectionView(all[name] as ConnectionRecord)])) };
    },
    admin,
  );
  router.post(
    '/admin/connections',
    (req, ctx) => {
      const record = createConnection(ctx.state.design, bodyOf(req), ctx.userLogin, ctx.now());
      ctx.changed();
      return { json: connectionView(record) };
    },
    admin,
  );
  router.get('/admin/connections/:name', (req, ctx) => ({ json: connectionView(getConnection(ctx.state.design, nameOf(req))) }), admin);
  router.put(
    '/admin/connections/:name',
    (req, ctx) => {
      saveConnection(ctx.state.design, nameOf(req), bodyOf(req));
      ctx.changed();
      return { json: {} };
    },
    admin,
  );
  router.delete(
    '/admin/connections/:name',
    (req, ctx) => {
      deleteConnection(ctx.state.design, nameOf(req));
      ctx.changed();
      return { json: {} };
    },
    admin,
  );
  router.get('/connections/:name/info', (req, ctx) => ({ json: connectionInfo(getConnection(ctx.state.design, nameOf(req))) }), admin);
}
