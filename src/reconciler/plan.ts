// The plan step: a pure function of the desired units, the live states read, the ownership records and the
// options. It decides an action per unit, the prune deletions and the records to write; it sends nothing.

import { byText, compareText } from '../base/order.js';
import type { IgnoreDifference } from '../config/types.js';
import { buildPlanReport, summarize } from '../diff/impact.js';
import type { FieldChange, ResourceChange } from '../diff/types.js';
import { UserError } from '../errors.js';
import type { LiveState, ResourceUnit } from '../resources/types.js';
import { sensitivePointersOf } from './hash.js';
import { defaultScopes, refOf, scopeId, type OwnershipScopes } from './ownership/scopes.js';
import { recordAddressOf, scopeAddressOf } from './ownership/stores.js';
import { OPT_IN, planPrune, planRecords, recordOnlyNotes, scopeIdOf, scopesOf } from './plan-ownership.js';
import { maskRecordedSecrets } from './recorded-secrets.js';
import type { CompareFn, Plan, PlanInput, PlannedUnit } from './types.js';

export { entryOf } from './plan-ownership.js';

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** The config's `ignoreDifferences` pointers that apply to a unit, relative to its desired object. */
export function ignorePointersOf(unit: ResourceUnit, rules: IgnoreDifference[]): string[] {
  // Most configurations have no rules: every unit of the plan asks.
  if (rules.length === 0) return [];
  const out = new Set<string>();
  for (const rule of rules) {
    if (rule.kind !== unit.kind) continue;
    if (rule.name !== undefined && !globToRegExp(rule.name).test(unit.doc.metadata.name)) continue;
    for (const p of rule.jsonPointers) {
      out.add(p);
      if (unit.block && p.startsWith(`/${unit.block}/`)) out.add(p.slice(unit.block.length + 1));
    }
  }
  return [...out];
}

/**
 * The field changes between what `unit` declares and its live state (undefined: absent). Pure. `sensitive` is
 * `sensitivePointersOf(unit)`, for a caller that has it already.
 */
export function compareUnit(
  unit: ResourceUnit,
  live: LiveState | undefined,
  compare: CompareFn,
  ignoreDifferences: IgnoreDifference[],
  sensitive: string[] = sensitivePointersOf(unit),
): FieldChange[] {
  return compare(unit.desired, live?.view, unit.policy, {
    ignorePointers: ignorePointersOf(unit, ignoreDifferences),
    sensitivePointers: sensitive,
  });
}

function planUnit(unit: ResourceUnit, input: PlanInput): PlannedUnit {
  const live = input.live.get(unit.address);
  const key = scopeIdOf(unit, scopesOf(input));
  const recorded = key === undefined ? undefined : input.projects.get(key)?.record?.inventory[unit.address]?.sensitive;
  // Compared while the reads went on, against this very live state; else now.
  const ahead = input.compared?.get(unit.address);
  const compared =
    ahead !== undefined && ahead.live === live ? ahead.changes : compareUnit(unit, live, input.compare, input.options.ignoreDifferences);
  // DSS may still hold a secret applied earlier where the manifests now declare an ordinary value.
  const changes = maskRecordedSecrets(compared, recorded);
  const replace = live !== undefined && (input.options.replace ?? []).includes(unit.address);
  const action = live === undefined ? 'create' : changes.length > 0 || replace ? 'update' : 'no-op';
  const change: ResourceChange = { address: unit.address, kind: unit.kind, node: input.nodeOf(unit.kind), action, changes };
  if (replace) {
    change.reason = '--replace: written again even where it is in sync';
    return { unit, action, live, change, replace };
  }
  if (action === 'update' && live && input.describeUpdate) {
    const notes = input.describeUpdate(unit, live);
    if (notes.length > 0) change.notes = notes;
  }
  return { unit, action, live, change };
}

/** What was wrong with the records read back from DSS, project by project. */
function recordProblems(input: PlanInput): string[] {
  return [...input.projects.values()].sort(byText((p) => p.key)).flatMap((p) => p.warnings ?? []);
}

/** `--replace` names objects of this run whose kind can be replaced; anything else stops the plan. */
function checkReplace(input: PlanInput): void {
  const problems = [...new Set(input.options.replace ?? [])].sort().flatMap((address) => {
    const unit = input.units.find((u) => u.address === address);
    if (!unit) return [`${address} is not an object of this run (check the address, and --target)`];
    return input.canReplace?.(unit.kind) === true ? [] : [`${address} cannot be replaced: ${unit.kind} objects have no re-creation or redeployment`];
  });
  if (problems.length > 0) throw new UserError('BAD_REPLACE', `--replace: ${problems.join('; ')}`);
}

/** Plans a run. Pure: the same input gives the same plan, and nothing is sent anywhere. */
export function planChanges(input: PlanInput): Plan {
  checkReplace(input);
  const warnings = [...(input.warnings ?? []), ...recordProblems(input)];
  const targeted = input.options.targets.length > 0;
  const units = [...input.units].sort(byText((u) => u.address)).map((u) => planUnit(u, input));
  const refused = units.flatMap((u) => {
    if (u.action === 'create') return input.validateCreate ? input.validateCreate(u.unit) : [];
    return u.action === 'update' && u.live && input.validateChange ? input.validateChange(u.unit, u.live, u.change.changes) : [];
  });
  if (refused.length > 0) {
    throw new UserError('PLAN_REFUSED', `the plan cannot be applied:\n${refused.map((m) => `  - ${m}`).join('\n')}`);
  }
  warnings.push(...units.flatMap((u) => u.live?.notices ?? []));
  const desired = new Set(input.allUnits.map((u) => u.address));
  const prune = targeted ? { deletions: [], disowned: new Map<string, Set<string>>(), warnings: [] } : planPrune(input, desired);
  warnings.push(...prune.warnings);
  if (prune.deletions.length > 0 && input.allUnits.length === 0 && !input.options.allowEmpty) {
    throw new UserError(
      'EMPTY_SCOPE',
      `the manifests declare nothing, and prune would delete ${prune.deletions.length} object(s) ` +
        `(${prune.deletions.map((d) => d.address).join(', ')}); check the -f paths, or pass --allow-empty to delete them`,
    );
  }
  // DESIGN §4: a project whose manifests are all gone is more often a wrong -f or a moved directory than a
  // decision. Its deletion alone is refused (loudly); the rest of the run goes on, so that one removed directory
  // does not stop every plan and every watch tick.
  if (!input.options.allowEmpty) {
    const emptied = new Map(prune.deletions.filter((d) => d.wholeProject).map((d) => [scopeId(refOf(d)), refOf(d)] as const));
    for (const [, ref] of [...emptied].sort(([a], [b]) => compareText(a, b))) {
      warnings.push(
        `REFUSED: ${scopeAddressOf(ref)} is no longer declared, and this source applied it: prune would delete the project ` +
          'and everything in it, so it is not deleted; check the -f paths, or pass --allow-empty to delete it',
      );
    }
    if (emptied.size > 0) prune.deletions = prune.deletions.filter((d) => !emptied.has(scopeId(refOf(d))));
  }
  const deletionChanges: ResourceChange[] = prune.deletions.map((d) => ({
    address: d.address,
    kind: d.kind,
    node: d.node,
    action: d.soft === true ? 'update' : 'delete',
    changes: [],
    reason: d.wholeProject
      ? 'left the manifests (prune); deletes the project and everything in it'
      : d.soft === true
        ? `left the manifests (prune); ${d.kind} objects are not deleted without an opt-in, so it is disabled and no ` +
          `longer managed; to delete it instead, apply its manifest once with the annotation ${OPT_IN}, then remove it`
        : 'left the manifests (prune)',
  }));
  const { records, adopted, warnings: recordWarnings } = planRecords(input, prune);
  warnings.push(...recordWarnings);
  const adoptedKeys = new Set(adopted.map((c) => c.address));
  warnings.push(...recordOnlyNotes(input, records.filter((r) => !adoptedKeys.has(recordAddressOf(refOf(r)))), units, prune.deletions));
  return {
    report: buildPlanReport([...units.map((u) => u.change), ...deletionChanges, ...adopted], warnings, input.commit),
    units,
    deletions: prune.deletions,
    records,
  };
}

/**
 * The plan reduced to the units at `addresses` (what a run that writes less than it read shows and executes): no
 * deletion, the records of those units' scopes only, and the summary counted again from what is left.
 */
export function narrowPlan(plan: Plan, addresses: ReadonlySet<string>, warnings: string[], scopes: OwnershipScopes = defaultScopes()): Plan {
  const units = plan.units.filter((u) => addresses.has(u.unit.address));
  const kept = new Set(units.map((u) => scopeIdOf(u.unit, scopes)).filter((k): k is string => k !== undefined));
  const resourceChanges = plan.report.resourceChanges.filter((c) => c.action !== 'delete' && addresses.has(c.address));
  return {
    report: { ...plan.report, resourceChanges, summary: summarize(resourceChanges), warnings },
    units,
    deletions: [],
    records: plan.records.filter((r) => kept.has(scopeId(refOf(r)))),
  };
}
