// The plan step: a pure function of the desired units, the live states read, the ownership records and the
// options. It decides an action per unit, the prune deletions and the records to write; it sends nothing.

import { PROJECT_SCOPE_KIND, projectAddress } from './scope.js';
import { compareText, byText } from '../base/order.js';
import type { IgnoreDifference } from '../config/types.js';
import { buildPlanReport, summarize } from '../diff/impact.js';
import type { ResourceChange } from '../diff/types.js';
import { UserError } from '../errors.js';
import type { ResourceUnit } from '../resources/types.js';
import { sensitivePointersOf, specHash } from './hash.js';
import {
  isProtectedByAnnotation,
  optsInToDeletion,
  PROTECTED_TAG,
  PRUNE_ANNOTATION,
  sameOwnership,
  type InventoryEntry,
  type OwnershipRecord,
} from './ownership.js';
import { defaultScopes, fieldsOf, ownershipId, refOf, scopeId, scopeOfOwnership, type OwnershipScopes, type ScopeRef } from './ownership/scopes.js';
import { recordAddressOf, scopeAddressOf, storeOf } from './ownership/stores.js';
import { maskRecordedSecrets, secretPointersOf } from './recorded-secrets.js';
import type { Plan, PlanInput, PlannedDeletion, PlannedRecord, PlannedUnit } from './types.js';

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** The config's `ignoreDifferences` pointers that apply to a unit, relative to its desired object. */
export function ignorePointersOf(unit: ResourceUnit, rules: IgnoreDifference[]): string[] {
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

/** The inventory entry of `unit` once applied; `previous` is its entry before, whose secret places may stay. */
export function entryOf(unit: ResourceUnit, previous?: InventoryEntry): InventoryEntry {
  const entry: InventoryEntry = isProtectedByAnnotation(unit) ? { hash: specHash(unit), protected: true } : { hash: specHash(unit) };
  if (optsInToDeletion(unit)) entry.pruneDelete = true;
  const sensitive = secretPointersOf(unit, previous?.sensitive);
  if (sensitive.length > 0) entry.sensitive = sensitive;
  return entry;
}

/** The run's ownership scopes: the input's, or the shipped kinds'. */
function scopesOf(input: PlanInput): OwnershipScopes {
  return input.scopes ?? defaultScopes();
}

/** The id of the scope whose record lists `unit`, or undefined. */
function scopeIdOf(unit: ResourceUnit, scopes: OwnershipScopes): string | undefined {
  const ref = scopes.scopeOf(unit);
  return ref === undefined ? undefined : scopeId(ref);
}

function planUnit(unit: ResourceUnit, input: PlanInput): PlannedUnit {
  const live = input.live.get(unit.address);
  const key = scopeIdOf(unit, scopesOf(input));
  const recorded = key === undefined ? undefined : input.projects.get(key)?.record?.inventory[unit.address]?.sensitive;
  const compared = input.compare(unit.desired, live?.view, unit.policy, {
    ignorePointers: ignorePointersOf(unit, input.options.ignoreDifferences),
    sensitivePointers: sensitivePointersOf(unit),
  });
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

interface PruneOutcome {
  deletions: PlannedDeletion[];
  /** Inventory addresses dropped without a deletion (blocks no longer managed, protected objects), by scope id. */
  disowned: Map<string, Set<string>>;
  warnings: string[];
}

const OPT_IN = `${PRUNE_ANNOTATION}: "delete"`;

function planPrune(input: PlanInput, desired: Set<string>): PruneOutcome {
  const out: PruneOutcome = { deletions: [], disowned: new Map(), warnings: [] };
  const scopes = scopesOf(input);
  const declaredScopes = new Set(input.allUnits.map((u) => scopeIdOf(u, scopes)).filter((k): k is string => k !== undefined));
  let leftBehind = 0;
  for (const owned of [...input.projects.values()].sort(byText(ownershipId))) {
    const record = owned.record;
    if (!record) continue;
    const ref = scopeOfOwnership(owned);
    const id = scopeId(ref);
    const store = storeOf(ref);
    const declared = declaredScopes.has(id);
    // A scope that left the manifests is only ours to prune when this source applied it.
    if (!declared && record.source !== input.source) continue;
    // Records are checked when read (record-check.ts); the scope rule is asked again here, where it decides deletions.
    const gone = Object.keys(record.inventory).filter((a) => !desired.has(a) && store.inScope(ref, a, scopes)).sort();
    // A scope declared here but recorded by another tree: what that tree applied is not ours to delete.
    if (declared && record.source !== input.source) {
      const objects = gone.filter((a) => !a.includes('#'));
      if (objects.length > 0) {
        out.warnings.push(
          `${store.scopeAddress(ref)} is recorded as applied from ${record.source}, not from this run's ${input.source}: ` +
            `${objects.length} object(s) listed there and absent here are not pruned (${objects.join(', ')})`,
        );
      }
      continue;
    }
    const disowned = new Set<string>();
    const wholeProject = ref.store === 'project' && !declared && gone.includes(projectAddress(ref.key));
    for (const address of gone) {
      const kind = address.slice(0, address.indexOf('/'));
      // An undeclared block (`#variables`) is simply no longer managed: nothing to delete.
      if (address.includes('#')) {
        disowned.add(address);
        continue;
      }
      if (wholeProject && address !== projectAddress(owned.key)) continue;
      if (input.keptUnlessAsked?.(kind) === true) continue;
      const entry = record.inventory[address];
      // Kinds whose objects are deleted only on an opt-in recorded with them (users are disabled, plugins stay).
      const optIn = input.pruneNeedsOptIn?.(kind);
      const soft = optIn === 'soft' && entry?.pruneDelete !== true && input.canSoftDelete?.(kind) === true;
      const kept = optIn !== undefined && entry?.pruneDelete !== true && !soft;
      // Kinds that are never deleted (bundles) leave the inventory quietly: there is nothing to prune.
      if (!kept && !soft && !input.canDelete(kind)) {
        disowned.add(address);
        continue;
      }
      if (!input.options.prune) {
        leftBehind += 1;
        continue;
      }
      if (entry?.protected === true || owned.tags.includes(PROTECTED_TAG)) {
        out.warnings.push(`${address} left the manifests but is protected; it is not deleted and no longer managed`);
        disowned.add(address);
        continue;
      }
      if (kept) {
        out.warnings.push(
          `${address} left the manifests: prune does not delete ${kind} objects unless their manifest was applied with ` +
            `the annotation ${OPT_IN}; it stays in DSS and is no longer managed`,
        );
        disowned.add(address);
        continue;
      }
      out.deletions.push({ address, kind, node: input.nodeOf(kind), ...fieldsOf(ref), wholeProject, ...(soft ? { soft: true as const } : {}) });
    }
    if (disowned.size > 0) out.disowned.set(id, disowned);
  }
  if (leftBehind > 0) {
    out.warnings.push(`${leftBehind} object(s) applied earlier left the manifests; run with --prune to delete them`);
  }
  return out;
}

interface RecordOutcome {
  records: PlannedRecord[];
  /** `--adopt`: the records this run takes over from another source, shown as their own plan entries. */
  adopted: ResourceChange[];
  warnings: string[];
}

function planRecords(input: PlanInput, prune: PruneOutcome): RecordOutcome {
  const scopes = scopesOf(input);
  const byScope = new Map<string, { ref: ScopeRef; units: ResourceUnit[] }>();
  for (const unit of input.units) {
    const ref = scopes.scopeOf(unit);
    if (ref === undefined) continue;
    const id = scopeId(ref);
    const group = byScope.get(id);
    if (group) group.units.push(unit);
    else byScope.set(id, { ref, units: [unit] });
  }
  const out: RecordOutcome = { records: [], adopted: [], warnings: [] };
  for (const [key, { ref, units }] of [...byScope].sort(([a], [b]) => compareText(a, b))) {
    const before = input.projects.get(key)?.record;
    const foreign = before !== undefined && before.source !== input.source;
    // Another source's record is never replaced silently: its inventory is what that source prunes and checks
    // for drift. Without --adopt the objects are written and the record is left as it is.
    if (foreign && input.options.adopt !== true) {
      out.warnings.push(
        `${scopeAddressOf(ref)} is owned by ${before.source}, not by this run's source ${input.source}: its objects are ` +
          `written, but its ownership record is left to ${before.source} (which keeps pruning it and telling its ` +
          `drift); pass --adopt to make ${input.source} its owner`,
      );
      continue;
    }
    // An adopted record keeps the other source's inventory: what it applied is not lost to prune.
    const inventory: Record<string, InventoryEntry> = { ...(before?.inventory ?? {}) };
    for (const address of prune.disowned.get(key) ?? []) delete inventory[address];
    for (const unit of units) inventory[unit.address] = entryOf(unit, before?.inventory[unit.address]);
    const sorted = Object.fromEntries(Object.entries(inventory).sort(([a], [b]) => compareText(a, b)));
    const after: OwnershipRecord = { version: 1, source: input.source, inventory: sorted };
    const commit = input.commit ?? before?.commit;
    if (commit !== undefined) after.commit = commit;
    out.records.push({ ...fieldsOf(ref), before, after });
    if (foreign && input.projects.get(key)?.exists === true) {
      const kind = ref.store === 'project' ? PROJECT_SCOPE_KIND : 'instance';
      out.adopted.push({
        address: recordAddressOf(ref),
        kind,
        node: ref.store === 'project' ? input.nodeOf(PROJECT_SCOPE_KIND) : ref.node,
        action: 'update',
        changes: [{ pointer: '/source', path: 'source', kind: 'modify', before: before.source, after: input.source, sensitive: false }],
        reason: `--adopt: ownership passes from ${before.source} to ${input.source}`,
      });
    }
  }
  // A node's instance record with no object of this run but something pruned: it loses what prune drops (execute
  // takes each deletion out once done). A project's record needs no such write: its project goes whole.
  for (const owned of [...input.projects.values()].sort(byText(ownershipId))) {
    const key = ownershipId(owned);
    const dropped = prune.disowned.get(key) ?? new Set<string>();
    if (owned.store !== 'instance' || byScope.has(key) || owned.record?.source !== input.source) continue;
    if (dropped.size === 0 && !prune.deletions.some((d) => scopeId(refOf(d)) === key)) continue;
    const inventory = Object.fromEntries(Object.entries(owned.record.inventory).filter(([a]) => !dropped.has(a)));
    out.records.push({ ...fieldsOf(scopeOfOwnership(owned)), before: owned.record, after: { ...owned.record, inventory } });
  }
  return out;
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
    const emptied = new Set(prune.deletions.filter((d) => d.wholeProject).map((d) => scopeId(refOf(d))));
    for (const key of [...emptied].sort()) {
      warnings.push(
        `REFUSED: Project/${key} is no longer declared, and this source applied it: prune would delete the project ` +
          'and everything in it, so it is not deleted; check the -f paths, or pass --allow-empty to delete it',
      );
    }
    // The same for a node's platform objects: manifests that declare none of them any more are more often a wrong -f.
    const scopes = scopesOf(input);
    const declaredScopes = new Set(input.allUnits.map((u) => scopeIdOf(u, scopes)));
    for (const owned of [...input.projects.values()].filter((p) => p.store === 'instance').sort(byText(ownershipId))) {
      const key = ownershipId(owned);
      const lost = prune.deletions.filter((d) => scopeId(refOf(d)) === key);
      if (declaredScopes.has(key) || lost.length === 0) continue;
      warnings.push(
        `REFUSED: the manifests declare no platform object of ${scopeAddressOf(scopeOfOwnership(owned))} any more, and ` +
          `this source applied ${lost.length}: prune would remove every one (${lost.map((d) => d.address).join(', ')}), so ` +
          'none is; check the -f paths, or pass --allow-empty to prune them',
      );
      emptied.add(key);
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
 * The record writes that no object write of the same project accompanies (a record missing, out of date, or from
 * another source while the objects match). Like Terraform's state refresh they change no object: the plan says so
 * in a note and keeps "No changes", and apply writes them without asking.
 */
function recordOnlyNotes(input: PlanInput, records: PlannedRecord[], units: PlannedUnit[], deletions: PlannedDeletion[]): string[] {
  const scopes = scopesOf(input);
  const notes: string[] = [];
  for (const r of records) {
    const ref = refOf(r);
    const key = scopeId(ref);
    if (input.projects.get(key)?.exists !== true || sameOwnership(r.before, r.after)) continue;
    const written = units.some((u) => u.action !== 'no-op' && scopeIdOf(u.unit, scopes) === key);
    if (written || deletions.some((d) => scopeId(refOf(d)) === key)) continue;
    const why = !r.before
      ? ref.store === 'project'
        ? 'the project has no record yet'
        : 'the node has no instance record yet'
      : r.before.source !== r.after.source
        ? `it names ${r.before.source} until now`
        : 'the record is out of date';
    notes.push(
      `${recordAddressOf(ref)}: apply writes the ownership record (the objects dss-gitops manages; ${why}); ` +
        'no object changes, so it is not counted as a change',
    );
  }
  return notes;
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
