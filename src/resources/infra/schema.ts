// JSON Schema of an Infra document (Project Deployer). `adminApiKey` is a secret, meant to come from `${secret:..}`.

import { OBJECT_ID, PERMISSIONS, kindSchema } from '../common.schema.js';

export const infraSchema = kindSchema({
  kind: 'Infra',
  description: 'A deployment infrastructure of the Project Deployer; `metadata.name` is its id.',
  name: OBJECT_ID,
  specRequired: true,
  spec: {
    type: 'object',
    properties: {
      stage: { type: 'string', description: 'Lifecycle stage, e.g. `Development`, `Test`, `Production`.' },
      automationNodeUrl: {
        type: 'string',
        pattern: '^https?://',
        errorMessage: 'must be an http:// or https:// URL',
      },
      adminApiKey: { type: 'string', description: 'Secret: use `${secret:NAME}`.' },
      trustAllSSLCertificates: { type: 'boolean' },
      permissions: PERMISSIONS,
    },
    required: ['stage'],
    additionalProperties: false,
  },
});
