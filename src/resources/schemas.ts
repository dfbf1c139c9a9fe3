// The explicit map of every kind to its JSON Schema: what the validator checks documents against, what
// `npm run schemas` writes to `schemas/` for editors, and what each kind's implementation exports as its schema.

import { bundleSchema } from './bundle.schema.js';
import { deploymentSchema } from './deployment.schema.js';
import { infraSchema } from './infra.schema.js';
import { projectFolderSchema } from './project-folder.schema.js';
import { projectSchema } from './project.schema.js';
import { publishedProjectSchema } from './published-project.schema.js';
import { scenarioSchema } from './scenario.schema.js';
import type { JsonSchema } from './types.js';

export const KIND_SCHEMAS = {
  ProjectFolder: projectFolderSchema,
  Project: projectSchema,
  Scenario: scenarioSchema,
  Bundle: bundleSchema,
  PublishedProject: publishedProjectSchema,
  Infra: infraSchema,
  Deployment: deploymentSchema,
} as const satisfies Record<string, JsonSchema>;

export type KindName = keyof typeof KIND_SCHEMAS;

export const KIND_NAMES = Object.keys(KIND_SCHEMAS) as KindName[];

export function isKindName(kind: unknown): kind is KindName {
  return typeof kind === 'string' && Object.hasOwn(KIND_SCHEMAS, kind);
}

/** `ProjectFolder` → `project-folder`: the file name of a kind's schema. */
export function kindFileName(kind: KindName): string {
  return kind.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

function withoutDraft(schema: JsonSchema): JsonSchema {
  const { $schema: _draft, ...rest } = schema;
  return rest;
}

/** One schema for a file mixing kinds: each document is checked against the schema of its `kind`. */
export function manifestSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'dss-gitops manifest',
    description: 'Any dss-gitops document; its `kind` selects the schema that applies.',
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata'],
    properties: { kind: { enum: KIND_NAMES } },
    allOf: KIND_NAMES.map((kind) => ({
      if: { properties: { kind: { const: kind } }, required: ['kind'] },
      then: withoutDraft(KIND_SCHEMAS[kind]),
    })),
  };
}
