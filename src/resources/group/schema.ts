// JSON Schema of a Group document: DSS's field names; the permission flags are exact (a flag left out is false).

import { kindSchema, SECURITY_NAME, STRING_SET, type KindSchemaParts } from '../common.schema.js';
import type { JsonSchema } from '../types.js';
import { GROUP_MAPPING_LISTS, GROUP_PERMISSION_FLAGS } from './permissions.js';

const MAPPING_SOURCE: Record<(typeof GROUP_MAPPING_LISTS)[number], string> = {
  ldapGroupNames: 'LDAP',
  ssoGroupNames: 'SSO',
  azureADGroupNames: 'Azure AD',
  customGroupNames: 'custom authenticator',
};

function specProperties(): Record<string, JsonSchema> {
  const properties: Record<string, JsonSchema> = {
    description: { type: 'string' },
    sourceType: { type: 'string', description: 'Where DSS takes the group from: `LOCAL` (DSS default), `LDAP`, `SAAS`, `LOCAL_NO_AUTH`...' },
  };
  for (const list of GROUP_MAPPING_LISTS) {
    properties[list] = {
      ...STRING_SET,
      description: `${MAPPING_SOURCE[list]} groups whose members are in this group; exact when declared (order does not matter).`,
    };
  }
  for (const flag of GROUP_PERMISSION_FLAGS) {
    properties[flag] = { type: 'boolean', description: 'Global permission; false when left out (DSS default).' };
  }
  return properties;
}

const parts: KindSchemaParts = {
  kind: 'Group',
  description:
    'A DSS group (`metadata.name` is its name). Its global permissions (`admin` and the `may*` flags) are exact: a flag ' +
    'the manifest leaves out is false, which is DSS default. Fields not declared (description, source type, mappings) are not managed.',
  name: SECURITY_NAME,
  spec: { type: 'object', properties: specProperties(), additionalProperties: false },
};

export const groupSchema = kindSchema(parts);
