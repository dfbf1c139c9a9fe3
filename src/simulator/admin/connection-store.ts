// The node's connections (`/admin/connections/`), as DSS keeps them: one definition per name (`type`, `params`,
// the usage and readability grants, the flags), every field a client stored kept as stored. Credential params are
// held in clear by the node (it must use them) and shown to clients only in an encrypted form, as DSS's
// `GET /admin/connections/{name}` does ("passwords and secrets in their encrypted form", says the official client).
// A PUT that sends the encrypted form back keeps the stored credential, which is what makes GET-modify-PUT safe;
// a clear value replaces it. The clear values sit under their own names (`password`, `secretKey`), which the state
// file seals (see ../sealed-secrets.ts).

import { randomBytes } from 'node:crypto';
import { isObject } from '../../base/json.js';
import { looksSecret } from '../../base/secret-names.js';
import { conflict, illegalArgument, notFound } from '../errors.js';
import type { DesignState, Json } from '../design/state.js';

export interface ConnectionRecord {
  /** The definition as stored, credential params in clear. */
  definition: Json;
  /** The encrypted form shown for each credential param, by param name; replaced when the credential changes. */
  encrypted: Record<string, string>;
}

/** The connection types the node knows, their credential params and the params DSS fills in on creation. */
interface ConnectionType {
  credentials: readonly string[];
  params: Json;
  /** SQL connections have indexing settings. */
  sql: boolean;
}

const TYPES: Record<string, ConnectionType> = {
  PostgreSQL: {
    credentials: ['password'],
    params: { host: '', port: 5432, db: '', user: '', password: '', properties: [], namingRule: { tableNameDatasetNamePrefix: '${projectKey}_' } },
    sql: true,
  },
  Filesystem: { credentials: [], params: { root: '', hiveSync: false, namingRule: {} }, sql: false },
  EC2: {
    credentials: ['secretKey'],
    params: { credentialsMode: 'KEYPAIR', accessKey: '', secretKey: '', defaultManagedBucket: '', defaultManagedPath: '/dataiku', namingRule: {} },
    sql: false,
  },
};

/** Prefix of the encrypted form of a credential, as a client sees it. */
export const ENCRYPTED_PREFIX = 'e:AES:';

/** The credential params of a connection of `type`: the type's own, else any param named like a secret. */
export function credentialParams(type: unknown, params: Json): string[] {
  const known = typeof type === 'string' ? TYPES[type] : undefined;
  if (known) return [...known.credentials];
  // A setting about credentials (`credentialsMode`, `authType`) is shown as it is.
  return Object.keys(params).filter((name) => looksSecret(name) && !/(Mode|Type|Provider|Method)$/.test(name));
}

/** The connections a fresh DSS comes with: where managed datasets and folders go, and the server's file system. */
function builtInConnections(): Record<string, ConnectionRecord> {
  const filesystem = (name: string, root: string): ConnectionRecord => ({
    definition: {
      name,
      type: 'Filesystem',
      params: { ...structuredClone(TYPES.Filesystem?.params ?? {}), root },
      allowWrite: true,
      allowManagedDatasets: true,
      allowManagedFolders: true,
      useGlobalProxy: false,
      credentialsMode: 'GLOBAL',
      usableBy: 'ALL',
      allowedGroups: [],
      detailsReadability: { readableBy: 'NONE', allowedGroups: [] },
      maxActivities: 0,
    },
    encrypted: {},
  });
  return {
    filesystem_folders: filesystem('filesystem_folders', '${dip.home}/managed_folders'),
    filesystem_managed: filesystem('filesystem_managed', '${dip.home}/managed_datasets'),
    filesystem_root: filesystem('filesystem_root', '/'),
  };
}

/** The node's connections; a state saved before they were simulated gets those of a fresh DSS. */
export function connectionsOf(state: DesignState): Record<string, ConnectionRecord> {
  state.connections ??= builtInConnections();
  return state.connections;
}

export function getConnection(state: DesignState, name: string): ConnectionRecord {
  const record = connectionsOf(state)[name];
  if (!record) throw notFound(`Connection ${name} does not exist`);
  return record;
}

function encrypt(): string {
  return `${ENCRYPTED_PREFIX}${randomBytes(24).toString('base64')}`;
}

/** The definition as a client sees it: credentials in their encrypted form (an empty one stays empty). */
export function connectionView(record: ConnectionRecord): Json {
  const view = structuredClone(record.definition);
  const params = isObject(view.params) ? view.params : undefined;
  if (params === undefined) return view;
  for (const [name, shown] of Object.entries(record.encrypted)) {
    if (typeof params[name] === 'string' && params[name] !== '') params[name] = shown;
  }
  return view;
}

/**
 * The credentials of `params` resolved against what the node holds: the encrypted form of the stored credential
 * stands for it, a clear value replaces it (and gets a new encrypted form), and an encrypted form this node did not
 * give is refused, as DSS cannot decrypt it.
 */
function resolveCredentials(name: string, type: unknown, params: Json, previous: ConnectionRecord | undefined): Record<string, string> {
  const encrypted: Record<string, string> = {};
  for (const param of credentialParams(type, params)) {
    const value = params[param];
    if (typeof value !== 'string' || value === '') continue;
    const shown = previous?.encrypted[param];
    const stored = previous && isObject(previous.definition.params) ? previous.definition.params[param] : undefined;
    if (shown !== undefined && value === shown && typeof stored === 'string') {
      params[param] = stored;
      encrypted[param] = shown;
    } else if (value.startsWith(ENCRYPTED_PREFIX)) {
      throw illegalArgument(`Connection ${name}: param '${param}' holds an encrypted value that cannot be decrypted`);
    } else {
      encrypted[param] = encrypt();
    }
  }
  return encrypted;
}

function stamp(login: string, now: number): Json {
  return { versionNumber: 0, lastModifiedBy: { login }, lastModifiedOn: now };
}

function groupList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((g) => typeof g === 'string')) throw illegalArgument(`${field} must be a list of group names`);
  return [...value];
}

/** `POST /admin/connections/`: `{name, type, params, usableBy, allowedGroups}`; the rest takes DSS's defaults. */
export function createConnection(state: DesignState, body: Json, login: string, now: number): ConnectionRecord {
  const name = body.name;
  if (typeof name !== 'string' || name.trim() === '') throw illegalArgument('Connection name is required');
  if (typeof body.type !== 'string' || body.type === '') throw illegalArgument('Connection type is required');
  if (body.params !== undefined && body.params !== null && !isObject(body.params)) throw illegalArgument('params must be an object');
  const connections = connectionsOf(state);
  if (connections[name]) throw conflict(`Connection ${name} already exists`);
  const type = TYPES[body.type];
  const params: Json = { ...structuredClone(type?.params ?? {}), ...structuredClone(isObject(body.params) ? body.params : {}) };
  const usableBy = body.usableBy ?? 'ALL';
  if (usableBy !== 'ALL' && usableBy !== 'ALLOWED') throw illegalArgument(`usableBy must be ALL or ALLOWED, not ${String(usableBy)}`);
  const definition: Json = {
    name,
    type: body.type,
    params,
    allowWrite: true,
    allowManagedDatasets: true,
    allowManagedFolders: false,
    useGlobalProxy: false,
    credentialsMode: 'GLOBAL',
    usableBy,
    allowedGroups: groupList(body.allowedGroups, 'allowedGroups'),
    detailsReadability: { readableBy: 'NONE', allowedGroups: [] },
    maxActivities: 0,
    creationTag: stamp(login, now),
  };
  if (type?.sql) definition.indexingSettings = { indexSystemTables: false, indexForeignKeys: false, indexIndices: false };
  const record: ConnectionRecord = { definition, encrypted: resolveCredentials(name, body.type, params, undefined) };
  connections[name] = record;
  return record;
}

/** `PUT /admin/connections/{name}`: the whole definition; its name and type cannot change. */
export function saveConnection(state: DesignState, name: string, body: Json): ConnectionRecord {
  const previous = getConnection(state, name);
  if (body.name !== undefined && body.name !== name) throw illegalArgument(`Cannot rename connection ${name} to ${String(body.name)}`);
  if (body.type !== previous.definition.type) {
    throw illegalArgument(`Cannot change the type of connection ${name} from ${String(previous.definition.type)} to ${String(body.type)}`);
  }
  if (body.params !== undefined && !isObject(body.params)) throw illegalArgument('params must be an object');
  if (body.usableBy !== undefined && body.usableBy !== 'ALL' && body.usableBy !== 'ALLOWED') {
    throw illegalArgument(`usableBy must be ALL or ALLOWED, not ${String(body.usableBy)}`);
  }
  groupList(body.allowedGroups, 'allowedGroups');
  const definition = structuredClone(body);
  definition.name = name;
  const params = isObject(definition.params) ? definition.params : {};
  definition.params = params;
  const record: ConnectionRecord = { definition, encrypted: resolveCredentials(name, body.type, params, previous) };
  connectionsOf(state)[name] = record;
  return record;
}

export function deleteConnection(state: DesignState, name: string): void {
  getConnection(state, name);
  delete connectionsOf(state)[name];
}
