// The explicit list of resource kinds. Adding a kind: write src/resources/<kind>.ts, add it here.

import { UserError } from '../errors.js';
import { bundleKind } from './bundle.js';
import { deploymentKind } from './deployment.js';
import { infraKind } from './infra.js';
import { projectFolderKind } from './project-folder.js';
import { projectKind } from './project.js';
import { publishedProjectKind } from './published-project.js';
import { scenarioKind } from './scenario.js';
import type { ResourceKind } from './types.js';

export const KINDS: readonly ResourceKind[] = [
  projectFolderKind,
  projectKind,
  scenarioKind,
  bundleKind,
  publishedProjectKind,
  infraKind,
  deploymentKind,
];

export type KindRegistry = ReadonlyMap<string, ResourceKind>;

export function kindRegistry(kinds: readonly ResourceKind[] = KINDS): KindRegistry {
  return new Map(kinds.map((k) => [k.kind, k]));
}

export function kindOf(registry: KindRegistry, name: string): ResourceKind {
  const kind = registry.get(name);
  if (!kind) throw new UserError('UNKNOWN_KIND', `unknown kind ${name} (known: ${[...registry.keys()].join(', ')})`);
  return kind;
}
