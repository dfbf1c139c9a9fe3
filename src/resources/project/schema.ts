// JSON Schema of a Project document. Each block (metadata, variables, permissions) is managed only when declared.

import { FOLDER_PATH, FREE_FORM, PERMISSIONS, PROJECT_KEY, STRING_SET, kindSchema } from '../common.schema.js';

export const projectSchema = kindSchema({
  kind: 'Project',
  description: 'A DSS project; `metadata.name` is its project key.',
  name: PROJECT_KEY,
  spec: {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'Display name.' },
      folder: { ...FOLDER_PATH, description: 'Folder path; created if missing, the project is moved there.' },
      owner: { type: 'string' },
      shortDesc: { type: 'string' },
      description: { type: 'string' },
      tags: { ...STRING_SET, description: 'A set: live tags not listed are removed.' },
      custom: { ...FREE_FORM, description: 'Custom metadata key-values, merged key by key.' },
      variables: {
        type: 'object',
        properties: {
          standard: { ...FREE_FORM, description: 'Exact when declared.' },
          local: { ...FREE_FORM, description: 'Exact when declared.' },
        },
        additionalProperties: false,
      },
      permissions: PERMISSIONS,
    },
    additionalProperties: false,
  },
});
