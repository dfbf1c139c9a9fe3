// Which ownership scope a unit or an address belongs to, from the kinds of a run's registry. A scope is a project
// (its record in the project's metadata) or a node's instance (its record in the node's instance variables, for
// kinds with `ownership: 'instance'`); objects of neither (folders, deployer objects) are recorded nowhere.
// A scope is named by an id, the key of every map of records: a project's key, `instance/NODE` for a node.

import { parseAddress } from '../../manifest/address.js';
import { kindRegistry, type KindRegistry } from '../../resources/registry.js';
import type { NodeName, ResourceUnit } from '../../resources/types.js';
import type { ProjectOwnership } from '../ownership.js';
import { instanceAddress, PROJECT_SCOPE_KIND } from '../scope.js';

export type ScopeRef = { store: 'project'; key: string } | { store: 'instance'; node: NodeName };

/** The id of a scope: the project key, or `instance/NODE` (a project key never holds a `/`). */
export function scopeId(ref: ScopeRef): string {
  return ref.store === 'project' ? ref.key : instanceAddress(ref.node);
}

/** The scope of a record read, a planned record or a planned deletion (`projectKey` and `store`, or `key`). */
export function refOf(item: { projectKey: string; store?: 'instance' }): ScopeRef {
  return item.store === 'instance' ? { store: 'instance', node: item.projectKey as NodeName } : { store: 'project', key: item.projectKey };
}

/** The `projectKey` and `store` fields that name `ref` in planned records and deletions. */
export function fieldsOf(ref: ScopeRef): { projectKey: string; store?: 'instance' } {
  return ref.store === 'project' ? { projectKey: ref.key } : { projectKey: ref.node, store: 'instance' };
}

/** The scope of a record read. */
export function scopeOfOwnership(owned: ProjectOwnership): ScopeRef {
  return owned.store === 'instance' ? { store: 'instance', node: owned.key as NodeName } : { store: 'project', key: owned.key };
}

/** The id of the scope of a record read. */
export function ownershipId(owned: ProjectOwnership): string {
  return scopeId(scopeOfOwnership(owned));
}

export interface OwnershipScopes {
  /** The scope whose record lists the unit, or undefined for objects recorded nowhere. */
  scopeOf(unit: ResourceUnit): ScopeRef | undefined;
  /** The scope whose record would hold `address` (`Project/CHURN#variables` → CHURN), or undefined. */
  scopeOfAddress(address: string): ScopeRef | undefined;
  /** The instance-scoped kinds of `node`: what its instance record may list. */
  instanceKinds(node: NodeName): ReadonlySet<string>;
  /** The nodes that have instance-scoped kinds, in order. */
  instanceNodes(): NodeName[];
}

const NODES: readonly NodeName[] = ['design', 'deployer'];

export function ownershipScopes(registry: KindRegistry): OwnershipScopes {
  // The shipped kind whose objects are projects, and any of the run's registry that says so too.
  const scopeKinds = new Set([PROJECT_SCOPE_KIND, ...[...registry.values()].filter((k) => k.definesScope === 'project').map((k) => k.kind)]);
  const instanceKinds = new Map<NodeName, Set<string>>(NODES.map((n) => [n, new Set<string>()]));
  for (const kind of registry.values()) if (kind.ownership === 'instance') instanceKinds.get(kind.node)?.add(kind.kind);
  const nodeOfInstanceKind = (kind: string): NodeName | undefined => {
    const found = registry.get(kind);
    return found?.ownership === 'instance' ? found.node : undefined;
  };
  return {
    scopeOf(unit) {
      const node = nodeOfInstanceKind(unit.kind);
      if (node !== undefined) return { store: 'instance', node };
      if (scopeKinds.has(unit.kind)) return { store: 'project', key: unit.doc.metadata.name };
      const project = unit.doc.metadata.project;
      return project === undefined ? undefined : { store: 'project', key: project };
    },
    scopeOfAddress(address) {
      const parsed = parseAddress(address);
      if (!parsed) return undefined;
      const node = nodeOfInstanceKind(parsed.kind);
      if (node !== undefined) return { store: 'instance', node };
      if (scopeKinds.has(parsed.kind)) return { store: 'project', key: parsed.name };
      return parsed.project === undefined ? undefined : { store: 'project', key: parsed.project };
    },
    instanceKinds: (node) => instanceKinds.get(node) ?? new Set(),
    instanceNodes: () => NODES.filter((n) => (instanceKinds.get(n)?.size ?? 0) > 0),
  };
}

let defaults: OwnershipScopes | undefined;

/** The scopes of the shipped kinds, for callers that run with the default registry. */
export function defaultScopes(): OwnershipScopes {
  defaults ??= ownershipScopes(kindRegistry());
  return defaults;
}
