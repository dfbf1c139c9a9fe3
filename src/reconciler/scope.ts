// Project scopes as the reconciler names them: the kind whose objects are projects (its `definesScope`), the
// address of a project (`<that kind>/KEY`) and of its ownership record. The kind's name is the registry's, so no
// file of the reconciler spells it.

import { addressOf } from '../manifest/address.js';
import { KINDS } from '../resources/registry.js';

const scopeKind = KINDS.find((k) => k.definesScope === 'project');
if (scopeKind === undefined) throw new Error('the registry has no kind whose objects are projects (definesScope)');

/** The kind whose objects are projects. */
export const PROJECT_SCOPE_KIND: string = scopeKind.kind;

/** The address of the project `key`. */
export function projectAddress(key: string): string {
  return addressOf(PROJECT_SCOPE_KIND, key);
}

/** The address of the unit of the project `key` whose object (the project's metadata) holds its ownership record. */
export function metadataAddress(key: string): string {
  return `${projectAddress(key)}#metadata`;
}

/** The address of the ownership record of the project `key`, as the plan lists it. */
export function recordAddress(key: string): string {
  return `${projectAddress(key)}#ownership`;
}

/** How plans and warnings name the instance scope of a node: its platform objects (groups, users, connections...). */
export function instanceAddress(node: string): string {
  return `instance/${node}`;
}

/** The address of the instance ownership record of `node`, as the plan lists it. */
export function instanceRecordAddress(node: string): string {
  return `${instanceAddress(node)}#ownership`;
}
