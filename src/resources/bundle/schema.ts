// JSON Schema of a Bundle document. Bundles are immutable: created once, never updated.

import { OBJECT_ID, PROJECT_KEY, kindSchema } from '../common.schema.js';

export const bundleSchema = kindSchema({
  kind: 'Bundle',
  description: 'A bundle exported from a design-node project; `metadata.name` is the bundle id.',
  name: OBJECT_ID,
  projectScoped: true,
  spec: {
    type: 'object',
    properties: {
      releaseNotes: { type: 'string' },
      publish: {
        type: ['boolean', 'object'],
        description: 'Publishes the bundle to the deployer: `true` (to the published project of the same key) or `{publishedProjectKey}`.',
        properties: { publishedProjectKey: PROJECT_KEY },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
});
