// What the ownership records of an apply claim, pure: each planned record with the units and deletions of its scope,
// the record as the writes left it (an object that was not written keeps its previous entry, or none; a pruned
// object leaves it once deleted), and whether it is written at all (its scope exists, and what it owns changed).

import type { NodeState } from '../graph.js';
import { sameOwnership, type OwnershipRecord, type ProjectOwnership } from '../ownership.js';
import { projectAddress } from '../scope.js';
import type { Plan, PlannedDeletion, PlannedRecord, PlannedUnit } from '../types.js';
import { refOf, scopeId, type OwnershipScopes, type ScopeRef } from './scopes.js';
import { recordAddressOf } from './stores.js';

export interface RecordJob {
  planned: PlannedRecord;
  ref: ScopeRef;
  /** The scope's id, the key of the run's records (`CHURN`, `instance/design`). */
  id: string;
  /** How reports name the record (`Project/CHURN#ownership`). */
  address: string;
  /** The planned units and deletions of the scope: what the record claims depends on how their writes ended. */
  units: PlannedUnit[];
  deletions: PlannedDeletion[];
}

/** The plan's records, each with its scope's units and deletions (grouped once, not scanned per record). */
export function recordJobs(plan: Plan, scopes: OwnershipScopes): RecordJob[] {
  const unitsOf = new Map<string, PlannedUnit[]>();
  for (const p of plan.units) {
    const ref = scopes.scopeOf(p.unit);
    if (ref !== undefined) push(unitsOf, scopeId(ref), p);
  }
  const deletionsOf = new Map<string, PlannedDeletion[]>();
  for (const d of plan.deletions) push(deletionsOf, scopeId(refOf(d)), d);
  return plan.records.map((planned) => {
    const ref = refOf(planned);
    const id = scopeId(ref);
    return { planned, ref, id, address: recordAddressOf(ref), units: unitsOf.get(id) ?? [], deletions: deletionsOf.get(id) ?? [] };
  });
}

/**
 * The record to write once the writes of the job's scope ended (`stateOf` an address: how its write or deletion
 * ended), or undefined when there is none to write: the scope does not exist (a project whose creation failed; a
 * node's instance always exists), or the record owns what it owned before.
 */
export function recordToWrite(
  job: RecordJob,
  projects: ReadonlyMap<string, ProjectOwnership>,
  stateOf: (address: string) => NodeState | undefined,
): OwnershipRecord | undefined {
  const { planned, ref } = job;
  const exists = ref.store === 'instance' || projects.get(job.id)?.exists === true || stateOf(projectAddress(ref.key)) === 'done';
  if (!exists) return undefined;
  const inventory = { ...planned.after.inventory };
  for (const p of job.units) {
    if (stateOf(p.unit.address) === 'done') continue;
    const previous = planned.before?.inventory[p.unit.address];
    if (previous) inventory[p.unit.address] = previous;
    else delete inventory[p.unit.address];
  }
  for (const d of job.deletions) {
    if (stateOf(d.address) === 'done') delete inventory[d.address];
  }
  const after: OwnershipRecord = { ...planned.after, inventory };
  return sameOwnership(planned.before, after) ? undefined : after;
}

function push<T>(groups: Map<string, T[]>, key: string, item: T): void {
  const group = groups.get(key);
  if (group) group.push(item);
  else groups.set(key, [item]);
}
