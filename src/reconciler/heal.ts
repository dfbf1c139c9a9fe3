// `watch --self-heal`: the plan that reverts drift and nothing else. As Argo CD's self-heal, it puts DSS back
// to what the manifests held at the last apply; manifest changes not applied yet (pending) are left to `apply`,
// so that a merge is never deployed by the controller behind the back of the team's apply step. Objects no
// ownership record lists (folders, deployer objects) cannot be told apart, so they are reported but never
// healed. Deletions of owned objects that left the manifests happen only when prune is asked for.

import { summarize } from '../diff/impact.js';
import type { ApplyReport } from '../diff/types.js';
import { kindRegistry, type KindRegistry } from '../resources/registry.js';
import type { DriftEntry, DriftReport } from './drift.js';
import type { PlannedRun, RunSetup } from './reconcile.js';
import { applyRun } from './reconcile.js';
import type { Plan, PlannedRecord } from './types.js';

/**
 * Why self-heal leaves a drifted object alone, as its kind says (`healSkip`: a deployment that does not run its
 * bundle, most often after a failed rollout), or undefined. Such drift is reported and left to a person or the
 * next `apply`.
 */
export function healSkipOf(entry: DriftEntry, registry: KindRegistry): string | undefined {
  return registry.get(entry.kind)?.healSkip?.(entry.changes);
}

/** Whether self-heal leaves the drift alone (today only a deployment that does not run its bundle). */
export function isRolloutOnlyDrift(entry: DriftEntry, registry: KindRegistry = kindRegistry()): boolean {
  return healSkipOf(entry, registry) !== undefined;
}

/** The drifted units only; the ownership records keep their entries, so pending units stay pending. */
export function healingPlan(planned: PlannedRun, report: DriftReport, prune: boolean, registry: KindRegistry = kindRegistry()): Plan {
  // Drift told without a record may be an unapplied manifest change (a new bundle for a deployment): not healed.
  const drifted = new Set(report.drift.filter((e) => e.recorded !== false && healSkipOf(e, registry) === undefined).map((e) => e.address));
  const plan = planned.plan;
  const units = plan.units.map((p) => (drifted.has(p.unit.address) ? p : { ...p, action: 'no-op' as const }));
  const deletions = prune ? plan.deletions : [];
  // A drifted unit's entry is already right (its hash matched); every other entry must not move, and a project
  // without a record gets none from a heal (its units are all pending). Healing never changes hands either: the
  // record keeps its source (and commit) even when the controller watches another copy of the manifests.
  const records: PlannedRecord[] = plan.records.flatMap((r) =>
    r.before === undefined ? [] : [{ ...r, after: { ...r.before, inventory: { ...r.before.inventory } } }],
  );
  const changes = plan.report.resourceChanges.filter((c) => drifted.has(c.address) || (prune && c.action === 'delete'));
  return {
    report: { ...plan.report, resourceChanges: changes, summary: summarize(changes) },
    units,
    deletions,
    records,
  };
}

/** Whether a healing plan has anything to write. */
export function hasHealing(plan: Plan): boolean {
  return plan.units.some((p) => p.action !== 'no-op') || plan.deletions.length > 0;
}

/** Applies the drifted objects (and, with prune, the deletions); the other units are not written. */
export async function heal(setup: RunSetup, planned: PlannedRun, report: DriftReport, prune: boolean): Promise<ApplyReport | undefined> {
  const plan = healingPlan(planned, report, prune, setup.registry);
  if (!hasHealing(plan)) return undefined;
  return applyRun(setup, { ...planned, plan });
}
