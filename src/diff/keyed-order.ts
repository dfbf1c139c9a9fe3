// Item order in keyed lists whose order matters (DiffPolicy.ordered): detecting a reorder, and placing items on
// write. Pure: no I/O, no clock.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

import { canonical } from '../base/json.js';

/** A declared item paired with a live one: its live index and how people name it. */
export interface OrderedPair {
  liveIndex: number;
  name: string;
}

/**
 * How an item is named in an order change: the key value when the list has a single key field (`build`), the
 * `field=value` label when it has several (`group=analysts`), the item itself when it has no key.
 */
export function itemName(label: string | undefined, keys: readonly string[], item: unknown): string {
  if (label === undefined) return canonical(item, false);
  if (keys.length !== 1) return label;
  return label.slice(label.indexOf('=') + 1);
}

/**
 * The live and declared orders of the declared items that exist live, or undefined when they agree. `pairs`
 * are in declared order.
 */
export function orderChange(pairs: readonly OrderedPair[]): { before: string[]; after: string[] } | undefined {
  const inOrder = pairs.every((pair, i) => i === 0 || (pairs[i - 1] as OrderedPair).liveIndex < pair.liveIndex);
  if (inOrder) return undefined;
  const before = [...pairs].sort((a, b) => a.liveIndex - b.liveIndex).map((pair) => pair.name);
  return { before, after: pairs.map((pair) => pair.name) };
}

/** One written item of an ordered list: the value to write and, for declared items, the live item it merged over. */
export interface DeclaredSlot {
  value: unknown;
  liveIndex: number | undefined;
  id: string;
}

/**
 * The items of an ordered keyed list as written: declared items in declared order; each surviving live item
 * that is not declared (`kept`, live indices in live order) right after the declared item that preceded it
 * live, or first when none did. A kept item sharing its identity with declared items goes after the last of
 * them: items are paired first come first served, so it must not come before them or it would take their place.
 */
export function arrangeOrdered(
  slots: readonly DeclaredSlot[],
  live: readonly unknown[],
  kept: readonly number[],
  idOf: (item: unknown) => string,
): unknown[] {
  const slotOfLive = new Map<number, number>();
  const lastSlotOfId = new Map<string, number>();
  slots.forEach((slot, s) => {
    if (slot.liveIndex !== undefined) slotOfLive.set(slot.liveIndex, s);
    lastSlotOfId.set(slot.id, s);
  });
  const keptSet = new Set(kept);
  // after[s + 1] holds the kept items placed after slot s; after[0] those placed first.
  const after: unknown[][] = Array.from({ length: slots.length + 1 }, () => []);
  let preceding = -1;
  live.forEach((item, j) => {
    const slot = slotOfLive.get(j);
    if (slot !== undefined) {
      preceding = slot;
      return;
    }
    if (!keptSet.has(j)) return;
    const anchor = Math.max(preceding, lastSlotOfId.get(idOf(item)) ?? -1);
    (after[anchor + 1] as unknown[]).push(item);
  });
  return [...(after[0] as unknown[]), ...slots.flatMap((slot, s) => [slot.value, ...(after[s + 1] as unknown[])])];
}
