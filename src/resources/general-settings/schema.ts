// JSON Schema of a GeneralSettings document: the fields of DSS's general settings a manifest manages, under DSS's own
// names. The spec stays open: DSS has hundreds of fields that vary with its version, and a closed list would refuse
// real ones; the sections most often declared are typed, so that `ldapSettings: true` is an error at its line. A
// name DSS does not have is reported by the plan (see kind.ts).

import { FREE_FORM, kindSchema } from '../common.schema.js';
import { SINGLETON_NAME_SCHEMA } from '../instance-singleton.js';

const SECTION = (description: string): Record<string, unknown> => ({ ...FREE_FORM, description });

export const generalSettingsSchema = kindSchema({
  kind: 'GeneralSettings',
  description:
    "The DSS node's general settings, only the fields declared: nested objects merged, lists replaced, everything else kept as it is. One document per node, named `instance`.",
  name: SINGLETON_NAME_SCHEMA,
  specRequired: true,
  spec: {
    type: 'object',
    description: 'Fields of DSS general settings (`GET /admin/general-settings`), by their DSS names. Passwords and client secrets only as `${secret:NAME}`.',
    properties: {
      ldapSettings: SECTION('LDAP authentication; `bindPassword` as `${secret:NAME}`.'),
      ssoSettings: SECTION('Single sign-on (SAML, OpenID); `samlSPParams.keystorePassword` and `openIDParams.clientSecret` as `${secret:NAME}`.'),
      azureADSettings: SECTION('Azure AD user provisioning; `credentialsClientSecret` and `credentialsCertificatePassword` as `${secret:NAME}`.'),
      impersonation: SECTION('User isolation: `enabled`, `userRules`, `groupRules` (lists, replaced whole).'),
      containerSettings: SECTION('Containerized execution: `executionConfigs` (a list, replaced whole), `defaultExecutionConfig`.'),
      sparkSettings: SECTION('Spark: `executionConfigs` (a list, replaced whole).'),
      maxRunningActivities: { type: 'integer', minimum: 1 },
      maxRunningActivitiesPerJob: { type: 'integer', minimum: 1 },
      studioExternalUrl: { type: 'string' },
    },
  },
});
