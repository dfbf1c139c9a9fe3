// JSON Schema of a ProjectFolder document: the name is the folder's path.

import { FOLDER_PATH, PERMISSIONS, kindSchema } from '../common.schema.js';

export const projectFolderSchema = kindSchema({
  kind: 'ProjectFolder',
  description: 'A DSS project folder; `metadata.name` is its path, e.g. `Analytics/Churn`.',
  name: FOLDER_PATH,
  spec: {
    type: 'object',
    properties: {
      owner: { type: 'string', description: 'Login of the owner.' },
      permissions: PERMISSIONS,
    },
    additionalProperties: false,
  },
});
