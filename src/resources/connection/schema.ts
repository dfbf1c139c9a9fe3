// JSON Schema of a Connection document: a DSS connection (`/admin/connections/{name}`), with DSS's field names.
// Credentials sit in `params` like every other param and must come from `${secret:..}`: the loader cannot tell
// a literal from a reference after interpolation, so that rule is the kind's (see secrets.ts), not the schema's.

import { OBJECT_ID, STRING_SET, kindSchema } from '../common.schema.js';

const GROUPS = { ...STRING_SET, description: 'Group names; exact: a group not listed loses the grant.' };

export const connectionSchema = kindSchema({
  kind: 'Connection',
  description: 'A DSS connection (administrators only); `metadata.name` is its name.',
  name: OBJECT_ID,
  specRequired: true,
  spec: {
    type: 'object',
    properties: {
      type: {
        type: 'string',
        minLength: 1,
        description: 'The connection type, as DSS names it (`PostgreSQL`, `Filesystem`, `EC2` for S3, ...). Cannot change once created.',
      },
      params: {
        type: 'object',
        description:
          'The params of the connection type; merged: only the params listed are managed, every other param is kept. ' +
          'Credentials (secret-looking names: `password`, `secretKey`...) must be `${secret:NAME}`.',
      },
      usableBy: { enum: ['ALL', 'ALLOWED'], description: 'Who may use the connection: everyone, or the `allowedGroups`.' },
      allowedGroups: GROUPS,
      detailsReadability: {
        type: 'object',
        description: 'Who may read the details of the connection, credentials included.',
        properties: { readableBy: { enum: ['NONE', 'ALL', 'ALLOWED'] }, allowedGroups: GROUPS },
        additionalProperties: false,
      },
      allowWrite: { type: 'boolean', description: 'If false, DSS does not write to the connection.' },
      allowManagedDatasets: { type: 'boolean' },
      allowManagedFolders: { type: 'boolean' },
      useGlobalProxy: { type: 'boolean' },
      credentialsMode: { enum: ['GLOBAL', 'PER_USER'] },
      maxActivities: { type: 'integer', minimum: 0, description: 'Concurrent activities on the connection across all jobs; 0: no limit.' },
      indexingSettings: { type: 'object', description: 'What DSS indexes on a SQL connection; merged.' },
    },
    required: ['type'],
    additionalProperties: false,
  },
});
