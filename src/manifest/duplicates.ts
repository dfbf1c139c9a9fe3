// Keyed lists whose items the diff matches by key (scenario steps, triggers, reporters; permission grants): two
// items with the same key would both be written, and the diff would pair only the first with DSS's. A schema
// cannot say "unique by this field", so this check does, pointing at the second item and the line of the first.
// Which lists are keyed is the kind's to say (`ResourceKind.keyedLists`).

import type { NodePositions } from '../base/positions.js';
import type { Problem } from './types.js';

/** A list of a document whose items are matched by key (`ResourceKind.keyedLists`). */
export interface KeyedList {
  /** Pointer of the list from the document root. */
  pointer: string;
  /** What an item is called in the message: `trigger`, `grant`. */
  item: string;
  /** Key fields, the first present one identifying the item (a grant names a group or a user). */
  keys: string[];
}

function at(value: unknown, pointer: string): unknown {
  let node = value;
  for (const segment of pointer.slice(1).split('/')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function identity(item: unknown, keys: readonly string[]): { field: string; value: string } | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  for (const field of keys) {
    const value = (item as Record<string, unknown>)[field];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { field, value: String(value) };
  }
  return undefined;
}

/** `duplicate trigger id "t1" (first at line 12)` for every item whose key an earlier item of its list has. */
export function checkDuplicateKeys(lists: readonly KeyedList[], document: unknown, positions: NodePositions): Problem[] {
  const problems: Problem[] = [];
  for (const list of lists) {
    const items = at(document, list.pointer);
    if (!Array.isArray(items)) continue;
    const first = new Map<string, number>();
    items.forEach((item, index) => {
      const id = identity(item, list.keys);
      if (id === undefined) return;
      const key = `${id.field}\0${id.value}`;
      const earlier = first.get(key);
      if (earlier === undefined) {
        first.set(key, index);
        return;
      }
      const line = positions.valuePosition(`${list.pointer}/${earlier}/${id.field}`).line;
      const label = list.item === 'grant' ? `grant for ${id.field}` : `${list.item} ${id.field}`;
      problems.push({
        ...positions.valuePosition(`${list.pointer}/${index}/${id.field}`),
        message: `duplicate ${label} ${JSON.stringify(id.value)} (first at line ${line})`,
      });
    });
  }
  return problems;
}
