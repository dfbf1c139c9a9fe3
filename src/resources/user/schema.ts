// JSON Schema of a User document: DSS's field names; the password is write-only and comes from `${secret:..}`.

import { kindSchema, SECURITY_NAME, STRING_SET } from '../common.schema.js';

export const userSchema = kindSchema({
  kind: 'User',
  description:
    'A DSS user (`metadata.name` is the login). Prune disables a user (`enabled: false`) unless the document opts in to ' +
    'deletion with the annotation `dss-gitops/prune: "delete"`: deleting a user destroys what they own in DSS.',
  name: SECURITY_NAME,
  spec: {
    type: 'object',
    properties: {
      displayName: { type: 'string' },
      email: { type: 'string' },
      groups: {
        ...STRING_SET,
        description:
          'The groups the user is in; exact when declared (a group not listed is left), order does not matter. Each needs a ' +
          'Group document or an `external` entry, except built-in groups (`administrators`).',
      },
      userProfile: {
        type: 'string',
        description: 'The license profile; values depend on the license, e.g. `FULL_DESIGNER`, `DATA_DESIGNER`, `AI_CONSUMER`, `READER` (`DATA_SCIENTIST` when DSS is given none).',
      },
      enabled: { type: 'boolean', description: 'Whether the user may log in; true when left out.' },
      sourceType: { type: 'string', description: 'Where DSS takes the user from: `LOCAL` (DSS default), `LDAP`, `SAAS`, `LOCAL_NO_AUTH`...' },
      password: {
        type: 'string',
        description:
          'Write-only: `${secret:NAME}` only, never a literal. DSS never gives it back, so a password changed in DSS is not ' +
          'seen; annotate `dss-gitops/rotate-password: "true"` to write the declared one again.',
      },
    },
    additionalProperties: false,
  },
});
