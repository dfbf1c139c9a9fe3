// The explicit list of resource kinds, and everything derived from it: the registry the reconciler asks, the kind
// names and schemas the manifest loader and `npm run schemas` use. Adding a kind: write its folder
// (src/resources/<kind>/: kind.ts, schema.ts, export), add one line to KINDS. See docs/adding-a-kind.md.

import type { JsonSchema } from '../base/schema-check.js';
import { UserError } from '../errors.js';
import { declareKindScopes } from '../manifest/address.js';
import { withDeclaredDependencies } from './declared-dependencies.js';
import { bundleKind } from './bundle/kind.js';
import { connectionKind } from './connection/kind.js';
import { codeEnvKind } from './code-env/kind.js';
import { deploymentKind } from './deployment/kind.js';
import { groupKind } from './group/kind.js';
import { infraKind } from './infra/kind.js';
import { pluginKind } from './plugin/kind.js';
import { generalSettingsKind } from './general-settings/kind.js';
import { instanceVariablesKind } from './instance-variables/kind.js';
import { projectFolderKind } from './project-folder/kind.js';
import { projectKind } from './project/kind.js';
import { publishedProjectKind } from './published-project/kind.js';
import { scenarioKind } from './scenario/kind.js';
import type { ResourceKind } from './types.js';
import { userKind } from './user/kind.js';

export const KINDS: readonly ResourceKind[] = [
  projectFolderKind,
  projectKind,
  scenarioKind,
  bundleKind,
  publishedProjectKind,
  infraKind,
  deploymentKind,
  groupKind,
  userKind,
  connectionKind,
  codeEnvKind,
  pluginKind,
  instanceVariablesKind,
  generalSettingsKind,
];

declareKindScopes(KINDS);

export type KindRegistry = ReadonlyMap<string, ResourceKind>;

/**
 * The kinds by name: `KINDS`, or the kinds a caller gives (a test's own kind beside them). Their scopes are declared
 * to the addresses (see manifest/address.ts), and their units take a document's `metadata.dependsOn`.
 */
export function kindRegistry(kinds: readonly ResourceKind[] = KINDS): KindRegistry {
  declareKindScopes(kinds);
  return new Map(kinds.map((k) => [k.kind, withDeclaredDependencies(k)]));
}

/** The kinds pruned only on request (`prunedOnRequest`): what `--prune-bundles` adds to a run's prune. */
export function prunedOnRequestKinds(registry: KindRegistry): string[] {
  return [...registry.values()].filter((k) => k.prunedOnRequest === true).map((k) => k.kind);
}

/** The kind with a role in `promote` (`promotes`), or an error when the registry has none. */
export function promotingKind(registry: KindRegistry): ResourceKind {
  const kind = [...registry.values()].find((k) => k.promotes === 'bundle');
  if (!kind) throw new UserError('UNKNOWN_KIND', 'no kind of the registry runs a bundle: promote has nothing to promote');
  return kind;
}

export function kindOf(registry: KindRegistry, name: string): ResourceKind {
  const kind = registry.get(name);
  if (!kind) throw new UserError('UNKNOWN_KIND', `unknown kind ${name} (known: ${[...registry.keys()].join(', ')})`);
  return kind;
}

/** Every kind's name, in registry order. */
export const KIND_NAMES: readonly string[] = KINDS.map((k) => k.kind);

/** Every kind's JSON Schema, by kind name: what documents are checked against, and what editors get. */
export const KIND_SCHEMAS: ReadonlyMap<string, JsonSchema> = new Map(KINDS.map((k) => [k.kind, k.schema]));

export function isKindName(kind: unknown): kind is string {
  return typeof kind === 'string' && KIND_SCHEMAS.has(kind);
}

export function kindSchema(kind: string): JsonSchema {
  const schema = KIND_SCHEMAS.get(kind);
  if (schema === undefined) throw new UserError('UNKNOWN_KIND', `unknown kind ${kind} (known: ${KIND_NAMES.join(', ')})`);
  return schema;
}

/** `ProjectFolder` → `project-folder`: the file name of a kind's schema. */
export function kindFileName(kind: string): string {
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
      then: withoutDraft(kindSchema(kind)),
    })),
  };
}
