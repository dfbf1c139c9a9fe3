// The ownership side of the plan, pure: the inventory entry a unit is recorded with, prune (what each scope's record
// lists that the manifests no longer declare, and what becomes of it: deleted, disabled, left, or refused), and the
// records to write per scope, with the notes for those written while no object changes.

import { PROJECT_SCOPE_KIND, projectAddress } from './scope.js';
import { byText, compareText } from '../base/order.js';
import type { ResourceChange } from '../diff/types.js';
import type { ResourceUnit } from '../resources/types.js';
import { specHash } from './hash.js';
import {
  isProtectedByAnnotation,
  optsInToDeletion,
  PROTECTED_TAG,
  PRUNE_ANNOTATION,
  sameJson,
  sameOwnership,
  type InventoryEntry,
  type OwnershipRecord,
} from './ownership.js';
import { defaultScopes, fieldsOf, ownershipId, refOf, scopeId, scopeOfOwnership, type OwnershipScopes, type ScopeRef } from './ownership/scopes.js';
import { recordAddressOf, scopeAddressOf, storeOf } from './ownership/stores.js';
import { secretPointersOf } from './recorded-secrets.js';
import type { PlanInput, PlannedDeletion, PlannedRecord, PlannedUnit } from './types.js';

/** `dss-gitops/prune: "delete"`, as plans and warnings spell the opt-in. */
export const OPT_IN = `${PRUNE_ANNOTATION}: "delete"`;

/**
 * The inventory entry of `unit` once applied; `previous` is its entry before, whose secret places may stay. `hash`
 * is the unit's spec hash when it was computed already (while the reads went on).
 */
export function entryOf(unit: ResourceUnit, previous?: InventoryEntry, hash: string = specHash(unit)): InventoryEntry {
  const entry: InventoryEntry = isProtectedByAnnotation(unit) ? { hash, protected: true } : { hash };
  if (optsInToDeletion(unit)) entry.pruneDelete = true;
  const sensitive = secretPointersOf(unit, previous?.sensitive);
  if (sensitive.length > 0) entry.sensitive = sensitive;
  return entry;
}

/** The run's ownership scopes: the input's, or the shipped kinds'. */
export function scopesOf(input: PlanInput): OwnershipScopes {
  return input.scopes ?? defaultScopes();
}

/** The id of the scope whose record lists `unit`, or undefined. */
export function scopeIdOf(unit: ResourceUnit, scopes: OwnershipScopes): string | undefined {
  const ref = scopes.scopeOf(unit);
  return ref === undefined ? undefined : scopeId(ref);
}

export interface PruneOutcome {
  deletions: PlannedDeletion[];
  /** Inventory addresses dropped without a deletion (blocks no longer managed, protected objects), by scope id. */
  disowned: Map<string, Set<string>>;
  warnings: string[];
}

export function planPrune(input: PlanInput, desired: Set<string>): PruneOutcome {
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
    const objects = gone.filter((a) => !a.includes('#'));
    // A scope declared here but recorded by another tree: what that tree applied is not ours to delete.
    if (declared && record.source !== input.source) {
      if (objects.length > 0) {
        out.warnings.push(
          `${store.scopeAddress(ref)} is recorded as applied from ${record.source}, not from this run's ${input.source}: ` +
            `${objects.length} object(s) listed there and absent here are not pruned (${objects.join(', ')})`,
        );
      }
      continue;
    }
    // A node none of whose platform objects is declared any more: more often a wrong -f than a decision, as a
    // project whose documents are all gone. Nothing of it is pruned (the run goes on) unless --allow-empty.
    if (ref.store === 'instance' && !declared && input.options.prune && !input.options.allowEmpty && input.allUnits.length > 0 && objects.length > 0) {
      out.warnings.push(
        `REFUSED: the manifests declare no platform object of ${store.scopeAddress(ref)} any more, and this source ` +
          `applied ${objects.length}: prune would remove every one (${objects.join(', ')}), so none is; check the -f ` +
          'paths, or pass --allow-empty to prune them',
      );
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

export interface RecordOutcome {
  records: PlannedRecord[];
  /** `--adopt`: the records this run takes over from another source, shown as their own plan entries. */
  adopted: ResourceChange[];
  warnings: string[];
}

export function planRecords(input: PlanInput, prune: PruneOutcome): RecordOutcome {
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
    const after: OwnershipRecord = { version: 1, source: input.source, inventory: inventoryAfter(input, before, prune.disowned.get(key), units) };
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

/**
 * The inventory of a record once `units` are applied and the `disowned` addresses dropped, sorted by address. While
 * it lists what `before` lists, `before`'s own inventory (read back sorted) and entries are kept: a plan in sync holds
 * one inventory per scope, not two (a plan of 2,000 x 10 made 28,000 entries, 2,000 inventories and their sorted
 * copies, 9 MB, to find them equal to those it read).
 */
function inventoryAfter(
  input: PlanInput,
  before: OwnershipRecord | undefined,
  disowned: ReadonlySet<string> | undefined,
  units: ResourceUnit[],
): Record<string, InventoryEntry> {
  const previous = before?.inventory ?? {};
  const dropped = [...(disowned ?? [])].filter((address) => Object.hasOwn(previous, address));
  const written: Array<[string, InventoryEntry]> = [];
  for (const unit of units) {
    const old = Object.hasOwn(previous, unit.address) ? previous[unit.address] : undefined;
    const entry = entryOf(unit, old, input.compared?.get(unit.address)?.specHash);
    if (old === undefined || !sameJson(old, entry)) written.push([unit.address, entry]);
  }
  if (before !== undefined && dropped.length === 0 && written.length === 0) return before.inventory;
  const inventory: Record<string, InventoryEntry> = { ...previous };
  for (const address of dropped) delete inventory[address];
  for (const [address, entry] of written) inventory[address] = entry;
  return Object.fromEntries(Object.entries(inventory).sort(([a], [b]) => compareText(a, b)));
}

/**
 * The record writes that no object write of the same project accompanies (a record missing, out of date, or from
 * another source while the objects match). Like Terraform's state refresh they change no object: the plan says so
 * in a note and keeps "No changes", and apply writes them without asking.
 */
export function recordOnlyNotes(input: PlanInput, records: PlannedRecord[], units: PlannedUnit[], deletions: PlannedDeletion[]): string[] {
  const scopes = scopesOf(input);
  // The scopes something is written or deleted in, found once: asked per record, the plan was quadratic in size.
  const touched = new Set<string | undefined>([
    ...units.filter((u) => u.action !== 'no-op').map((u) => scopeIdOf(u.unit, scopes)),
    ...deletions.map((d) => scopeId(refOf(d))),
  ]);
  const notes: string[] = [];
  for (const r of records) {
    const ref = refOf(r);
    const key = scopeId(ref);
    if (input.projects.get(key)?.exists !== true || sameOwnership(r.before, r.after) || touched.has(key)) continue;
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
