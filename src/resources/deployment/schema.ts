// JSON Schema of a Deployment document (Project Deployer), with the tool's own `rollout` policy.

import { FREE_FORM, OBJECT_ID, PROJECT_KEY, STRING_SET, kindSchema } from '../common.schema.js';

export const deploymentSchema = kindSchema({
  kind: 'Deployment',
  description: 'A deployment of a published bundle on an infra; `metadata.name` is the deployment id.',
  name: OBJECT_ID,
  specRequired: true,
  spec: {
    type: 'object',
    properties: {
      publishedProjectKey: PROJECT_KEY,
      infraId: OBJECT_ID,
      bundleId: OBJECT_ID,
      deployedProjectKey: PROJECT_KEY,
      projectFolderId: { type: 'string' },
      disableAutomaticTriggers: { type: 'boolean' },
      localVariables: FREE_FORM,
      scenariosToActivate: { type: 'object', additionalProperties: { type: 'boolean' } },
      bundleContainerSettings: FREE_FORM,
      tags: STRING_SET,
      rollout: {
        type: 'object',
        description: 'How dss-gitops rolls the deployment out.',
        properties: {
          waitForHealthy: { type: 'boolean' },
          timeoutSeconds: { type: 'integer', minimum: 1 },
          rollbackOnFailure: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    },
    required: ['publishedProjectKey', 'infraId', 'bundleId'],
    additionalProperties: false,
  },
});
