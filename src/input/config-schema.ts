// JSON Schema of `dss-gitops.yaml`: connection settings, run defaults, prune, ignored differences, and the
// addresses of objects that exist in DSS without being declared in the manifests.

import { KIND_NAMES } from '../resources/registry.js';
import type { JsonSchema } from '../base/schema-check.js';

const POSITIVE_INTEGER: JsonSchema = { type: 'integer', minimum: 1 };
const NON_NEGATIVE_INTEGER: JsonSchema = { type: 'integer', minimum: 0 };

const NODE: JsonSchema = {
  type: 'object',
  properties: {
    url: { type: 'string', pattern: '^https?://', errorMessage: 'must be an http:// or https:// URL' },
    apiKey: { type: 'string', description: 'Secret: use `${secret:NAME}` or the DSS_API_KEY environment variable.' },
    basePath: { type: 'string', pattern: '^/', errorMessage: 'must start with `/`' },
    caFile: { type: 'string', description: 'PEM file of a private certificate authority.' },
    insecure: { type: 'boolean', description: 'Disables TLS verification.' },
  },
  additionalProperties: false,
};

/** `ignoreDifferences`: by kind (one of the run's), name pattern and JSON pointers. */
function ignoreDifferencesSchema(kindNames: readonly string[]): JsonSchema {
  return {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        kind: { enum: [...kindNames] },
        name: { type: 'string', description: 'Glob on the object name; `*` matches any run of characters.' },
        jsonPointers: {
          type: 'array',
          items: { type: 'string', pattern: '^(/.*)?$', errorMessage: 'must be a JSON pointer starting with `/`' },
        },
      },
      required: ['kind', 'jsonPointers'],
      additionalProperties: false,
    },
  };
}

/** `external`: addresses of objects of the run's kinds. */
function externalSchema(kindNames: readonly string[]): JsonSchema {
  return {
    type: 'array',
    description: 'Addresses of objects that exist outside the manifests, e.g. `Infra/shared-prod`.',
    items: {
      type: 'string',
      pattern: `^(${kindNames.join('|')})/[^/#]+(/[^/#]+)*$`,
      errorMessage: 'must be an address such as `Infra/prod` or `Bundle/CHURN/v3`',
    },
  };
}

export const configSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'dss-gitops configuration (dss-gitops.yaml)',
  type: 'object',
  properties: {
    nodes: {
      type: 'object',
      properties: { design: NODE, deployer: NODE },
      additionalProperties: false,
    },
    defaults: {
      type: 'object',
      properties: {
        parallelism: POSITIVE_INTEGER,
        requestTimeoutMs: POSITIVE_INTEGER,
        futureTimeoutMs: POSITIVE_INTEGER,
        retries: {
          type: 'object',
          properties: {
            attempts: POSITIVE_INTEGER,
            baseDelayMs: NON_NEGATIVE_INTEGER,
            maxDelayMs: NON_NEGATIVE_INTEGER,
            maxElapsedMs: NON_NEGATIVE_INTEGER,
          },
          additionalProperties: false,
        },
        projectOwner: {
          type: 'string',
          minLength: 1,
          description: 'Login of the owner of a project created without `spec.owner`.',
        },
      },
      additionalProperties: false,
    },
    prune: { type: 'boolean' },
    source: {
      type: 'string',
      minLength: 1,
      description: 'Names this manifests tree in ownership records (default: the git remote origin and the path in it).',
    },
    interpolation: {
      type: 'object',
      properties: {
        envAllow: {
          type: 'array',
          description:
            'The only environment variables `${env:..}` may read in manifests: names, or patterns where `*` matches any run of characters (`TEAM_*`). Credential variables and variables read as `${secret:..}` are refused whatever it says.',
          items: {
            type: 'string',
            pattern: '^[A-Za-z0-9_.*-]+$',
            errorMessage: 'must be an environment variable name, or a pattern with `*` such as `TEAM_*`',
          },
        },
      },
      additionalProperties: false,
    },
    ignoreDifferences: ignoreDifferencesSchema(KIND_NAMES),
    external: externalSchema(KIND_NAMES),
  },
  additionalProperties: false,
};

const byKinds = new Map<string, JsonSchema>();

/**
 * The schema for a run whose manifests may hold `kindNames` (`ignoreDifferences[].kind`, the kind of an `external`
 * address); `configSchema` is the registry's. One object per set of kinds, so that it is compiled once.
 */
export function configSchemaFor(kindNames: readonly string[]): JsonSchema {
  const key = kindNames.join('|');
  if (key === KIND_NAMES.join('|')) return configSchema;
  const known = byKinds.get(key);
  if (known) return known;
  const properties = configSchema.properties as Record<string, JsonSchema>;
  const schema: JsonSchema = {
    ...configSchema,
    properties: { ...properties, ignoreDifferences: ignoreDifferencesSchema(kindNames), external: externalSchema(kindNames) },
  };
  byKinds.set(key, schema);
  return schema;
}
