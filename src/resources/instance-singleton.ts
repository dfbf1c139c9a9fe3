// What the kinds of one-per-node objects share (a node's instance variables, its general settings): there is exactly
// one such object on a DSS node, so a document of these kinds is named `instance`, and two documents of one kind
// are a duplicate address, reported by the loader at both places. DSS never lacks the object: "creating" it is
// writing the declared fields over what a fresh node has, and no prune deletes it.

import type { JsonSchema } from './types.js';

export const SINGLETON_NAME = 'instance';

/** `metadata.name` of a singleton document. */
export const SINGLETON_NAME_SCHEMA: JsonSchema = {
  const: SINGLETON_NAME,
  description: 'There is one such object per DSS node: its document is always named `instance`.',
};

/** Where `export` writes a singleton of a kind: `platform/<file>.yaml` in either layout. */
export function singletonExportPath(file: string): string {
  return `platform/${file}.yaml`;
}
