// `plan --changed-since GITREF` on the command side: narrows an opened run to the objects whose manifests
// changed, and words the warning that says how many objects the plan covers.

import * as path from 'node:path';
import { FORMAT_VERSION, type PlanReport } from '../diff/types.js';
import { UserError } from '../errors.js';
import type { LoadManifestOptions } from '../manifest/types.js';
import { unitsOf } from '../reconciler/reconcile.js';
import type { RunContext } from './run-context.js';

const TARGET_WARNING = '--target limits this run to';

export interface ChangedSince {
  /** The plan's warnings (replacing the generic `--target` one), given how many objects the plan covers. */
  warnings: (selected: number) => string[];
  /** Set when nothing changed: the report to show instead of planning (no request is sent). */
  empty?: PlanReport;
}

/** Sets the run's targets to the changed objects (and what depends on them). */
export async function narrowToChangedSince(run: RunContext, gitRef: string, load: LoadManifestOptions, targets: string[]): Promise<ChangedSince> {
  if (targets.length > 0) throw new UserError('BAD_FLAG', '--changed-since and --target cannot be combined');
  const units = unitsOf(run.set.documents, run.setup.registry);
  // Loaded here, not with the module: git's client (simple-git) is code a plan without --changed-since never runs.
  const { changedSinceSelection } = await import('../reconciler/changed-since.js');
  const selection = await changedSinceSelection(gitRef, units, load);
  const warnings: string[] = [];
  if (selection.deleted.length > 0) {
    const names = selection.deleted.map((f) => path.relative(load.cwd, f)).join(', ');
    warnings.push(`${selection.deleted.length} manifest file(s) deleted since ${gitRef} (${names}): run a full plan with --prune to see what leaves DSS`);
  }
  if (selection.everything) {
    const all = `--changed-since ${gitRef}: the configuration or a --var-file changed, so all ${units.length} objects are planned`;
    return { warnings: () => [all, ...warnings] };
  }
  if (selection.targets.length === 0) {
    const none = [`--changed-since ${gitRef}: no manifest changed, so 0 of ${units.length} objects are planned`, ...warnings];
    return {
      warnings: () => none,
      empty: { formatVersion: FORMAT_VERSION, resourceChanges: [], summary: { add: 0, change: 0, destroy: 0 }, warnings: none },
    };
  }
  run.setup.options.targets = selection.targets;
  // What the targets depend on joins the run in the reconciler's selection: the count is the final one.
  return {
    warnings: (selected) => [
      `--changed-since ${gitRef} selects ${selected} of ${units.length} objects (${selection.changed} in changed manifests, ` +
        'plus what depends on them and what they depend on); prune is disabled',
      ...warnings,
    ],
  };
}

/** The plan's warnings with the generic `--target` one replaced by ours. */
export function withChangedSinceWarnings(report: PlanReport, changed: ChangedSince, selected: number): PlanReport {
  return { ...report, warnings: [...changed.warnings(selected), ...report.warnings.filter((w) => !w.startsWith(TARGET_WARNING))] };
}
