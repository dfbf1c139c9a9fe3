// `export --platform` of `GeneralSettings`: not the whole object (hundreds of fields, most of them DSS's defaults or
// tied to the node's install), but the sections a platform team declares and that carry over to another node:
// authentication (LDAP, SSO, Azure AD), user isolation rules, the container and Spark execution configurations and
// the activity limits. Each exported section is whole. Secrets (what DSS gives back encrypted, and non-empty texts
// under secret names) become `${secret:GENERAL_SETTINGS_...}` references to provide.

import { compareText } from '../../base/order.js';
import { isObject, type Json } from '../../base/json.js';
import { escapeInterpolation, exportStub, secretName, secretReference } from '../export-common.js';
import { SINGLETON_NAME } from '../instance-singleton.js';
import type { ExportedSecret, ExportedSpec, ResourceKind } from '../types.js';
import { isHiddenSecret, isSecretField } from './secrets.js';

export const EXPORTED_FIELDS: readonly string[] = [
  'ldapSettings',
  'ssoSettings',
  'azureADSettings',
  'impersonation',
  'containerSettings',
  'sparkSettings',
  'maxRunningActivities',
  'maxRunningActivitiesPerJob',
];

interface Found {
  taken: Set<string>;
  secrets: ExportedSecret[];
}

function reference(path: string[], where: string, found: Found): string {
  const base = secretName('general', 'settings', ...path);
  let name = base;
  for (let n = 2; found.taken.has(name); n += 1) name = `${base}_${n}`;
  found.taken.add(name);
  found.secrets.push({ name, where });
  return secretReference(name);
}

/** A copy of `value` with its secrets replaced by references; keys visited in name order, for stable names. */
function hideSecrets(value: unknown, path: string[], where: string, found: Found, secretByName = false): unknown {
  if (typeof value === 'string') return value !== '' && (secretByName || isHiddenSecret(value)) ? reference(path, where, found) : value;
  if (Array.isArray(value)) return value.map((item, i) => hideSecrets(item, [...path, String(i + 1)], `${where}[${i + 1}]`, found));
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, item] of Object.entries(value).sort(([a], [b]) => compareText(a, b))) {
    out[key] = hideSecrets(item, [...path, key], `${where}.${key}`, found, isSecretField(key));
  }
  return out;
}

/** The spec of the general settings from their live view (the exported fields, whole). Pure. */
export function generalSettingsSpec(view: Json): ExportedSpec {
  const spec: Json = {};
  const found: Found = { taken: new Set(), secrets: [] };
  for (const field of EXPORTED_FIELDS) {
    if (view[field] === undefined) continue;
    spec[field] = hideSecrets(escapeInterpolation(view[field]), [field], `GeneralSettings/instance spec.${field}`, found);
  }
  return found.secrets.length > 0 ? { spec, secrets: found.secrets } : { spec };
}

export const generalSettingsExport: Pick<ResourceKind, 'listForExport' | 'exportSpec'> = {
  listForExport(_ctx, scope) {
    // `null` placeholders: the unit reads each field whole.
    const spec = Object.fromEntries(EXPORTED_FIELDS.map((field) => [field, null]));
    return Promise.resolve(scope.platform ? [exportStub('GeneralSettings', { name: SINGLETON_NAME }, spec)] : []);
  },

  exportSpec(_doc, live) {
    return generalSettingsSpec(live[0]?.live.view ?? {});
  },
};
