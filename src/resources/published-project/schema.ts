// JSON Schema of a PublishedProject document (Project Deployer).

import { PERMISSIONS, PROJECT_KEY, kindSchema } from '../common.schema.js';

export const publishedProjectSchema = kindSchema({
  kind: 'PublishedProject',
  description: 'A published project on the Project Deployer; `metadata.name` is its key.',
  name: PROJECT_KEY,
  spec: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      owner: { type: 'string' },
      permissions: PERMISSIONS,
    },
    additionalProperties: false,
  },
});
