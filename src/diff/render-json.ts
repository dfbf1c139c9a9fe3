// The plan as one versioned JSON document, shaped like Terraform's `show -json`: per resource the actions, the
// changed fields before and after, and boolean trees marking which of them are sensitive. Values are already
// masked by the diff. Pure: no fs, no network, no clock.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

import type { Writable } from 'node:stream';
import { parsePointer } from './pointer.js';
import { SENSITIVE_MASK, type FieldChange, type PlanReport, type PlanSummary, type ResourceChange } from './types.js';
import { deepCopy, isObject, setOwn } from '../base/json.js';

type Tree = Record<string, unknown>;

export interface JsonFieldChange {
  path: string;
  pointer: string;
  kind: FieldChange['kind'];
  before?: unknown;
  after?: unknown;
  sensitive?: boolean;
  /** A change of item order: before/after are the item names in live and declared order. */
  reorder?: boolean;
}

export interface JsonResourceChange {
  address: string;
  kind: string;
  node: string;
  actions: string[];
  reason?: string;
  notes?: string[];
  change: { before: Tree | null; after: Tree | null; before_sensitive: Tree | false; after_sensitive: Tree | false };
  field_changes: JsonFieldChange[];
}

export interface JsonPlan {
  format_version: string;
  commit?: string;
  resource_changes: JsonResourceChange[];
  drift: JsonResourceChange[];
  summary: PlanSummary;
  warnings: string[];
}

const NUMERIC = /^\d+$/;

/**
 * Sets `value` at the pointer, creating containers on the way: an index segment makes a list, in which the
 * changed items are listed compactly in the order met (the exact pointers are in `field_changes`).
 */
function setAt(tree: Tree, pointer: string, value: unknown, slots: WeakMap<unknown[], Map<string, number>>): void {
  const segments = parsePointer(pointer);
  if (segments.length === 0) {
    if (isObject(value)) for (const k of Object.keys(value)) setOwn(tree, k, value[k]);
    return;
  }
  let node: Tree | unknown[] = tree;
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    const next = segments[i + 1];
    const fresh = (): unknown => (last ? value : next !== undefined && NUMERIC.test(next) ? [] : {});
    if (Array.isArray(node)) {
      const map = slots.get(node) ?? new Map<string, number>();
      slots.set(node, map);
      let at = map.get(seg);
      if (at === undefined) {
        at = node.length;
        map.set(seg, at);
        node.push(fresh());
      } else if (last) node[at] = value;
      node = node[at] as Tree | unknown[];
      return;
    }
    const existing = node[seg];
    if (last || !(Array.isArray(existing) || isObject(existing))) setOwn(node, seg, fresh());
    node = node[seg] as Tree | unknown[];
  });
}

/** `true` where a value is masked, the same shape otherwise; undefined when nothing below is sensitive. */
function maskTree(value: unknown): unknown {
  if (value === SENSITIVE_MASK) return true;
  if (Array.isArray(value) || isObject(value)) {
    const out: Tree = {};
    for (const [k, v] of Object.entries(value)) {
      const m = maskTree(v);
      if (m !== undefined) setOwn(out, k, m);
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return undefined;
}

function side(changes: readonly FieldChange[], which: 'before' | 'after'): { values: Tree; mask: Tree | false } {
  const values: Tree = {};
  const mask: Tree = {};
  const slots = new WeakMap<unknown[], Map<string, number>>();
  const maskSlots = new WeakMap<unknown[], Map<string, number>>();
  for (const c of changes) {
    // An order change holds item names, not values of the list: it lives in field_changes only.
    if (!(which in c) || c.reorder === true) continue;
    const value = deepCopy(c[which]);
    setAt(values, c.pointer, value, slots);
    const m = c.sensitive ? true : maskTree(value);
    if (m !== undefined) setAt(mask, c.pointer, m, maskSlots);
  }
  return { values, mask: Object.keys(mask).length > 0 ? mask : false };
}

export function jsonResourceChange(rc: ResourceChange): JsonResourceChange {
  const before = side(rc.changes, 'before');
  const after = side(rc.changes, 'after');
  const out: JsonResourceChange = {
    address: rc.address,
    kind: rc.kind,
    node: rc.node,
    actions: [rc.action],
    change: {
      before: rc.action === 'create' ? null : before.values,
      after: rc.action === 'delete' ? null : after.values,
      before_sensitive: before.mask,
      after_sensitive: after.mask,
    },
    field_changes: rc.changes.map((c) => {
      const fc: JsonFieldChange = { path: c.path, pointer: c.pointer, kind: c.kind };
      if ('before' in c) fc.before = deepCopy(c.before);
      if ('after' in c) fc.after = deepCopy(c.after);
      fc.sensitive = c.sensitive;
      if (c.reorder === true) fc.reorder = true;
      return fc;
    }),
  };
  if (rc.reason !== undefined) out.reason = rc.reason;
  if (rc.notes !== undefined) out.notes = [...rc.notes];
  return out;
}

/** The JSON document as data. */
export function planJson(report: PlanReport): JsonPlan {
  const doc: JsonPlan = {
    format_version: report.formatVersion,
    ...(report.commit === undefined ? {} : { commit: report.commit }),
    resource_changes: report.resourceChanges.map(jsonResourceChange),
    drift: (report.drift ?? []).map(jsonResourceChange),
    summary: { ...report.summary },
    warnings: [...report.warnings],
  };
  return doc;
}

/** Exactly one JSON document, newline-terminated. */
export function renderPlanJson(report: PlanReport): string {
  return `${JSON.stringify(planJson(report), null, 2)}\n`;
}

export function writePlanJson(report: PlanReport, out: Writable): void {
  out.write(renderPlanJson(report));
}
