// The groups and users of a simulated design node (`/admin/groups/`, `/admin/users/`), as DSS keeps them: a group
// definition and a user's settings are objects stored as a client last wrote them (fields the node knows nothing
// about included), a user's password only as a salted hash, never given back. A fresh node has the group
// `administrators` and the user `admin` (the login of the node's admin key). A state saved before these routes
// existed has none: they are created on first use.

import { createHash, randomBytes } from 'node:crypto';
import type { DesignState, Json } from '../design/state.js';

/** The global permission flags of a group, every one false unless set (DSS's defaults). */
export const GROUP_PERMISSION_FLAGS = [
  'admin',
  'mayManageUDM',
  'mayCreateProjects',
  'mayCreateProjectsFromMacros',
  'mayCreateProjectsFromTemplates',
  'mayCreateProjectsFromDataikuApps',
  'mayWriteUnsafeCode',
  'mayWriteSafeCode',
  'mayCreateAuthenticatedConnections',
  'mayCreateCodeEnvs',
  'mayCreateClusters',
  'mayCreateCodeStudioTemplates',
  'mayDevelopPlugins',
  'mayEditLibFolders',
  'mayManageCodeEnvs',
  'mayManageClusters',
  'mayManageCodeStudioTemplates',
  'mayViewIndexedHiveConnections',
  'mayCreatePublishedAPIServices',
  'mayCreatePublishedProjects',
  'mayWriteInRootProjectFolder',
  'mayCreateActiveWebContent',
  'mayCreateWorkspaces',
  'mayShareToWorkspaces',
  'mayCreateDataCollections',
  'mayPublishToDataCollections',
  'mayManageFeatureStore',
  'mayManageEnterpriseAssetLibrary',
  'mayCreateEnterpriseAssetCollections',
] as const;

/** The lists of external group names mapped onto a DSS group, one per identity source. */
export const GROUP_MAPPING_LISTS = ['ldapGroupNames', 'ssoGroupNames', 'azureADGroupNames', 'customGroupNames'] as const;

export interface UserRecord {
  /** The settings as `GET /admin/users/{login}` gives them (no password). */
  settings: Json;
  /** `salt$sha256(salt:password)`, or absent for a user with no password (LDAP, SSO). */
  passwordHash?: string;
}

export interface SecurityState {
  groups: Record<string, Json>;
  users: Record<string, UserRecord>;
}

export const BUILT_IN_GROUP = 'administrators';
export const BUILT_IN_USER = 'admin';

/** A group definition with DSS's defaults for every field the creation left out. */
export function newGroup(name: string, description: string, sourceType: string): Json {
  const group: Json = { name, description, sourceType };
  for (const list of GROUP_MAPPING_LISTS) group[list] = [];
  for (const flag of GROUP_PERMISSION_FLAGS) group[flag] = false;
  group.canObtainAPITicketFromCookiesForGroupsRegex = '';
  return group;
}

export function newUserSettings(login: string, fields: Json, creationDate: number): Json {
  return {
    login,
    sourceType: 'LOCAL',
    displayName: '',
    email: '',
    groups: [],
    userProfile: 'DATA_SCIENTIST',
    enabled: true,
    adminProperties: {},
    userProperties: {},
    secrets: [],
    credentials: {},
    ...fields,
    creationDate,
  };
}

function createSecurityState(): SecurityState {
  const administrators = { ...newGroup(BUILT_IN_GROUP, 'DSS administrators', 'LOCAL'), admin: true };
  const admin = newUserSettings(BUILT_IN_USER, { displayName: 'Administrator', groups: [BUILT_IN_GROUP] }, 0);
  return { groups: { [BUILT_IN_GROUP]: administrators }, users: { [BUILT_IN_USER]: { settings: admin } } };
}

/** The node's groups and users, created with the built-in ones on first use. */
export function securityOf(state: DesignState): SecurityState {
  state.security ??= createSecurityState();
  return state.security;
}

function hashWith(salt: string, password: string): string {
  return `${salt}$${createHash('sha256').update(`${salt}:${password}`).digest('hex')}`;
}

export function hashPassword(password: string): string {
  return hashWith(randomBytes(12).toString('hex'), password);
}

/** Whether `record` holds `password` (what a login would check). */
export function passwordMatches(record: UserRecord, password: string): boolean {
  const hash = record.passwordHash;
  if (hash === undefined) return false;
  return hashWith(hash.slice(0, hash.indexOf('$')), password) === hash;
}

/** Names DSS accepts for a group or a login: letters, digits and `_ . - @`. */
export const NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/;
