// JSON Schema of a Scenario document. Steps, triggers and reporters are DSS objects kept open, except for the
// `id` that keys them; python scenarios take their code from `script` or `scriptFile`, never both.

import { OBJECT_ID, kindSchema } from '../common.schema.js';

function keyedItems(what: string): Record<string, unknown> {
  return {
    type: 'array',
    description: `${what}, matched with the live ones by \`id\`.`,
    items: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  };
}

export const scenarioSchema = kindSchema({
  kind: 'Scenario',
  description: 'A DSS scenario; `metadata.name` is its id, `metadata.project` its project key.',
  name: OBJECT_ID,
  projectScoped: true,
  specRequired: true,
  spec: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      type: { enum: ['step_based', 'custom_python'] },
      active: { type: 'boolean' },
      description: { type: 'string' },
      script: { type: 'string', description: 'Python code of a custom_python scenario.' },
      scriptFile: {
        type: 'string',
        description: 'File holding the python code, relative to this manifest and inside the manifests tree: a regular file of at most 1 MiB of UTF-8.',
      },
      params: { type: 'object', properties: { steps: keyedItems('Steps') } },
      triggers: keyedItems('Triggers'),
      reporters: keyedItems('Reporters'),
    },
    required: ['type'],
    additionalProperties: false,
    if: { properties: { type: { const: 'custom_python' } }, required: ['type'] },
    then: {
      allOf: [
        {
          not: { required: ['script', 'scriptFile'] },
          errorMessage: 'give either `script` or `scriptFile`, not both',
        },
        {
          anyOf: [{ required: ['script'] }, { required: ['scriptFile'] }],
          errorMessage: 'a custom_python scenario needs `script` or `scriptFile`',
        },
      ],
    },
    else: {
      not: { anyOf: [{ required: ['script'] }, { required: ['scriptFile'] }] },
      errorMessage: '`script` and `scriptFile` are only for custom_python scenarios',
    },
  },
});
