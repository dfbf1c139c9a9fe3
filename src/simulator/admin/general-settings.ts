// The instance's general settings (`GET|PUT /admin/general-settings`, what Dataiku's official client reads and saves
// whole with get_general_settings / DSSGeneralSettings.save): one large object of nested sections, administrators
// only. A PUT replaces it as sent, fields DSS knows nothing about included.
//
// Passwords and client secrets in it are stored encrypted with a per-value salt, and a GET gives back that
// encrypted form (`e:AES:...`), never the clear value: the same password saved twice reads back differently, which
// is why a client cannot compare them. A PUT that sends an encrypted form back (a GET-modify-PUT leaving the field
// alone) keeps it. The simulator never needs the clear value, so its "encryption" is an opaque salted digest.

import { createHash, randomBytes } from 'node:crypto';
import { isObject } from '../../base/json.js';
import { illegalArgument } from '../errors.js';
import type { Router } from '../router.js';
import type { DesignState, Json } from '../design/state.js';

/** The prefix of an encrypted value, as DSS writes it in its configuration. */
export const ENCRYPTED_PREFIX = 'e:AES:';

/** The fields DSS encrypts, as paths of keys from the root of the settings. */
export const ENCRYPTED_FIELDS: readonly (readonly string[])[] = [
  ['ldapSettings', 'bindPassword'],
  ['ssoSettings', 'samlSPParams', 'keystorePassword'],
  ['ssoSettings', 'openIDParams', 'clientSecret'],
  ['azureADSettings', 'credentialsClientSecret'],
  ['azureADSettings', 'credentialsCertificatePassword'],
];

/** The settings of a fresh instance: every section a new DSS has, with its defaults. */
export function defaultGeneralSettings(): Json {
  return {
    studioExternalUrl: '',
    maxRunningActivities: 5,
    maxRunningActivitiesPerJob: 2,
    ldapSettings: {
      enabled: false,
      url: '',
      bindDN: '',
      bindPassword: '',
      useTls: false,
      autoImportUsers: false,
      userFilter: '(&(objectClass=posixAccount)(uid={USERNAME}))',
      displayNameAttribute: 'gecos',
      emailAttribute: 'mail',
      defaultUserProfile: 'READER',
      enableGroups: false,
      groupFilter: '(&(objectClass=posixGroup)(memberUid={USERDN}))',
      groupNameAttribute: 'cn',
      groupProfiles: [],
      authorizedGroups: '',
    },
    ssoSettings: {
      enabled: false,
      protocol: 'SAML',
      remappingRules: [],
      samlSPParams: { entityId: '', acsURL: '', signRequests: false, keystoreFile: '', keystorePassword: '', keyAlias: '' },
      openIDParams: { clientId: '', clientSecret: '', scope: 'openid profile email', issuer: '', claimKeyIdentifier: 'sub' },
    },
    azureADSettings: {
      enabled: false,
      credentialsTenantId: '',
      credentialsClientId: '',
      credentialsMethod: 'CLIENT_SECRET',
      credentialsClientSecret: '',
      credentialsCertificatePath: '',
      credentialsCertificatePassword: '',
    },
    impersonation: {
      enabled: false,
      userRules: [{ scope: 'GLOBAL', type: 'IDENTITY' }],
      groupRules: [],
    },
    containerSettings: { executionConfigs: [], defaultExecutionConfig: null },
    sparkSettings: {
      executionConfigs: [{ name: 'default', description: 'Default Spark configuration', conf: [{ key: 'spark.executor.memory', value: '2g' }] }],
    },
    hiveSettings: { enabled: false, executionConfigs: [] },
    auditTrailSettings: { targets: [{ type: 'LOG4J', topicsFiltering: 'ALL', routingKeysFiltering: 'ALL' }] },
    limits: { attachmentBytes: { soft: -1, hard: 104857600 }, memSampleBytes: { soft: 524288000, hard: 1048576000 } },
  };
}

/** The settings of the node; a state saved before they were simulated gets the defaults. */
function settingsOf(state: DesignState): Json {
  state.generalSettings ??= defaultGeneralSettings();
  return state.generalSettings;
}

function encrypt(clear: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha256').update(salt).update(clear).digest();
  return `${ENCRYPTED_PREFIX}${Buffer.concat([salt, digest]).toString('base64')}`;
}

/** `settings` with every encrypted field that holds a clear value encrypted (in place). */
function encryptSecrets(settings: Json): Json {
  for (const path of ENCRYPTED_FIELDS) {
    let parent: unknown = settings;
    for (const key of path.slice(0, -1)) parent = isObject(parent) ? parent[key] : undefined;
    const field = path[path.length - 1] as string;
    if (!isObject(parent)) continue;
    const value = parent[field];
    if (typeof value === 'string' && value !== '' && !value.startsWith(ENCRYPTED_PREFIX)) parent[field] = encrypt(value);
  }
  return settings;
}

export function registerGeneralSettingsRoutes(router: Router): void {
  const admin = { adminOnly: true };
  router.get('/admin/general-settings', (_req, ctx) => ({ json: structuredClone(settingsOf(ctx.state.design)) }), admin);
  router.put(
    '/admin/general-settings',
    (req, ctx) => {
      if (!isObject(req.body)) throw illegalArgument('Expected a JSON object of general settings');
      ctx.state.design.generalSettings = encryptSecrets(structuredClone(req.body));
      ctx.changed();
      return { status: 204 };
    },
    admin,
  );
}
