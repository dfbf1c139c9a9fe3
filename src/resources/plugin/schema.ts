// JSON Schema of a Plugin document: where the plugin is installed from (exactly one of the store, a Git
// repository, a zip in the manifests tree), its instance-level settings (DSS's `config`, `parameterSets`,
// `presets`, merged) and its plugin-managed code env.

import { OBJECT_ID, kindSchema } from '../common.schema.js';
import type { JsonSchema } from '../types.js';

const GRANTS: JsonSchema = {
  type: 'array',
  description: 'Group grants, merged by `group`.',
  items: { type: 'object', properties: { group: { type: 'string' } }, required: ['group'] },
};

const NAMED_ITEM = (what: string, properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'array',
  description: `${what}, matched by \`name\` and merged: items and fields not declared are kept.`,
  items: {
    type: 'object',
    properties: { name: { type: 'string', minLength: 1 }, ...properties },
    required: ['name'],
  },
});

export const pluginSchema = kindSchema({
  kind: 'Plugin',
  description: 'A plugin installed on the design node; `metadata.name` is the plugin id.',
  name: OBJECT_ID,
  specRequired: true,
  spec: {
    type: 'object',
    properties: {
      source: {
        type: 'object',
        description: 'Where the plugin is installed from: exactly one of `store`, `git`, `zip`.',
        properties: {
          store: {
            type: 'object',
            properties: { version: { type: 'string', minLength: 1, description: "The version; DSS installs the store's current one." } },
            required: ['version'],
            additionalProperties: false,
          },
          git: {
            type: 'object',
            properties: {
              gitRepositoryUrl: { type: 'string', minLength: 1 },
              gitCheckout: { type: 'string', minLength: 1, description: 'A branch, a tag or a commit id.' },
              gitSubpath: { type: 'string', description: 'The folder of the repository that holds plugin.json.' },
              version: { type: 'string', minLength: 1, description: 'The version the checkout must hold (checked after installing).' },
            },
            required: ['gitRepositoryUrl', 'gitCheckout'],
            additionalProperties: false,
          },
          zip: {
            type: 'object',
            properties: { file: { type: 'string', minLength: 1, description: 'The plugin archive, relative to this manifest, inside the manifests tree.' } },
            required: ['file'],
            additionalProperties: false,
          },
        },
        additionalProperties: false,
        minProperties: 1,
        maxProperties: 1,
        errorMessage: 'must name exactly one of `store`, `git` or `zip`',
      },
      config: { type: 'object', description: "The plugin's settings parameters, merged." },
      parameterSets: NAMED_ITEM('Parameter sets (`name` is the set id)', {
        defaultPermission: { type: 'object' },
        permissions: GRANTS,
      }),
      presets: NAMED_ITEM('Presets', {
        type: { type: 'string', description: 'The parameter set of the preset (its `elementType`).' },
        config: { type: 'object', description: 'Parameters; secrets as `${secret:NAME}`.' },
        pluginConfig: { type: 'object', description: 'Admin-level parameters; secrets as `${secret:NAME}`.' },
        defaultPermission: { type: 'object' },
        permissions: GRANTS,
        owner: { type: 'string' },
      }),
      codeEnv: {
        type: 'object',
        description: "The plugin-managed code env, created after the plugin (a unit of its own, `#code-env`).",
        properties: {
          pythonInterpreter: { type: 'string', description: 'e.g. `PYTHON39`; the plugin’s default when left out.' },
          conda: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    },
    required: ['source'],
    additionalProperties: false,
  },
});
