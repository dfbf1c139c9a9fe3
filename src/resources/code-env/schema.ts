// JSON Schema of a CodeEnv document: a code environment of the design node, in DSS's own field names
// (`envLang`, `deploymentMode`, `desc.*`, `specPackageList`, `usableByAll`, `permissions`). DSS keeps the package
// specs as one text of lines; a manifest lists them, one requirement per item.

import { kindSchema, STRING_SET } from '../common.schema.js';
import type { JsonSchema } from '../types.js';

export const CODE_ENV_NAME: JsonSchema = {
  type: 'string',
  pattern: '^[A-Za-z0-9_-]+$',
  errorMessage: 'must be a code env name: letters, digits, `-` and `_` only',
};

export const PYTHON_INTERPRETERS = [
  'PYTHON27',
  'PYTHON34',
  'PYTHON35',
  'PYTHON36',
  'PYTHON37',
  'PYTHON38',
  'PYTHON39',
  'PYTHON310',
  'PYTHON311',
  'PYTHON312',
  'CUSTOM',
] as const;

const PACKAGE_LINE: JsonSchema = {
  type: 'string',
  pattern: '^[^\\n]*$',
  errorMessage: 'must be one requirement line (no line break)',
};

const PACKAGE_LIST: JsonSchema = {
  type: 'array',
  items: PACKAGE_LINE,
  description: 'Requested packages, one requirement per item; exact: the list is the truth, in its order.',
};

const GRANT: JsonSchema = {
  type: 'object',
  properties: { group: { type: 'string' }, use: { type: 'boolean' }, update: { type: 'boolean' }, manage: { type: 'boolean' } },
  required: ['group'],
  additionalProperties: false,
  errorMessage: 'a code env grant names a `group` and flags among `use`, `update`, `manage`',
};

export const codeEnvSchema = kindSchema({
  kind: 'CodeEnv',
  description: 'A code environment of the design node; `metadata.name` is its name (unique across languages in DSS).',
  name: CODE_ENV_NAME,
  specRequired: true,
  spec: {
    type: 'object',
    properties: {
      envLang: { enum: ['PYTHON', 'R'], description: 'The language; fixed once the env exists.' },
      deploymentMode: {
        enum: ['DESIGN_MANAGED', 'DESIGN_NON_MANAGED', 'EXTERNAL_CONDA_NAMED'],
        description: 'How DSS manages the env (default `DESIGN_MANAGED`); fixed once the env exists.',
      },
      desc: {
        type: 'object',
        description: 'The definition DSS keeps on disk (`desc`): merged, only the fields declared are managed.',
        properties: {
          pythonInterpreter: { enum: [...PYTHON_INTERPRETERS], description: 'Fixed once the env exists.' },
          customInterpreter: { type: 'string', description: 'The Python binary, with `pythonInterpreter: CUSTOM`.' },
          conda: { type: 'boolean', description: 'Built with conda; fixed once the env exists.' },
          externalCondaEnvName: { type: 'string' },
          installCorePackages: { type: 'boolean' },
          corePackagesSet: { type: 'string', description: 'e.g. `PANDAS13`, `PANDAS22`.' },
          installJupyterSupport: { type: 'boolean' },
          owner: { type: 'string', description: 'Login of the owner.' },
          envSettings: {
            type: 'object',
            description: 'Build settings (`pipInstallExtraOptions`, `cranMirrorURL`...): merged.',
          },
          allContainerConfs: { type: 'boolean', description: 'Build an image for every container config.' },
          containerConfs: { ...STRING_SET, description: 'Container configs to build images for (a set).' },
          allSparkKubernetesConfs: { type: 'boolean' },
          sparkKubernetesConfs: { ...STRING_SET, description: 'Spark-on-Kubernetes configs to build images for (a set).' },
          rebuildDependentCodeStudioTemplates: { enum: ['ASK', 'ALL', 'NONE'] },
          dockerImageResources: { enum: ['INIT', 'COPY', 'NONE'] },
          yarnPythonBin: { type: 'string' },
          yarnRBin: { type: 'string' },
        },
        additionalProperties: false,
      },
      specPackageList: PACKAGE_LIST,
      specCondaEnvironment: { ...PACKAGE_LIST, description: 'Requested conda packages (conda envs); exact.' },
      usableByAll: { type: 'boolean', description: 'Every user may use the env; else `permissions` apply.' },
      permissions: {
        type: 'array',
        items: GRANT,
        description: 'Group grants (`use`, `update`, `manage`); exact: a group not listed loses its grant.',
      },
    },
    required: ['envLang'],
    additionalProperties: false,
  },
});
