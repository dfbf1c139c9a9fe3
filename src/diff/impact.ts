// What a resource's changes amount to: its action, the worst impact over several, and the plan summary. Pure:
// no I/O, no clock.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

import { byText } from '../base/order.js';
import { FORMAT_VERSION, type Action, type FieldChange, type PlanReport, type PlanSummary, type ResourceChange } from './types.js';

/**
 * The action for one resource. `declared` is false for an object that left the manifests and is being pruned.
 */
export function resourceAction(changes: readonly FieldChange[], exists: boolean, declared = true): Action {
  if (!declared) return exists ? 'delete' : 'no-op';
  if (!exists) return 'create';
  return changes.length > 0 ? 'update' : 'no-op';
}

/** Ranks actions by how much they disturb DSS; a destroy outranks everything. */
const SEVERITY: Record<Action, number> = { 'no-op': 0, update: 1, create: 2, delete: 3 };

/** The worst of two impacts, for folding over the units of a document or the resources of a scope. */
export function worseAction(a: Action, b: Action): Action {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

export function worstAction(actions: Iterable<Action>): Action {
  let worst: Action = 'no-op';
  for (const a of actions) worst = worseAction(worst, a);
  return worst;
}

/** Counts creations, updates and deletions: of a plan's changes, or of an apply's applied results. */
export function summarize(resourceChanges: readonly Pick<ResourceChange, 'action'>[]): PlanSummary {
  const summary: PlanSummary = { add: 0, change: 0, destroy: 0 };
  for (const rc of resourceChanges) {
    if (rc.action === 'create') summary.add++;
    else if (rc.action === 'update') summary.change++;
    else if (rc.action === 'delete') summary.destroy++;
  }
  return summary;
}

/** A plan report from the resources of a run: no-ops dropped, sorted by address, summary computed. */
export function buildPlanReport(
  resourceChanges: readonly ResourceChange[],
  warnings: readonly string[] = [],
  commit?: string,
): PlanReport {
  const kept = resourceChanges.filter((rc) => rc.action !== 'no-op').sort(byText((rc) => rc.address));
  const report: PlanReport = { formatVersion: FORMAT_VERSION, resourceChanges: kept, summary: summarize(kept), warnings: [...warnings] };
  if (commit !== undefined) report.commit = commit;
  return report;
}

export function hasChanges(summary: PlanSummary): boolean {
  return summary.add + summary.change + summary.destroy > 0;
}
