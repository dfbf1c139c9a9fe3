// Data shared by the plan, read and execute steps of the reconciler.

import type { IgnoreDifference } from '../config/types.js';
import type { Action, DiffPolicy, FieldChange, PlanReport, ResourceChange } from '../diff/types.js';
import type { LiveState, ResourceUnit } from '../resources/types.js';
import type { OwnershipRecord, ProjectOwnership } from './ownership.js';
import type { OwnershipScopes } from './ownership/scopes.js';

export interface CompareOptions {
  ignorePointers: string[];
  sensitivePointers: string[];
}

/** Compares desired and live managed fields; pure. `live` undefined means the object does not exist. */
export type CompareFn = (
  desired: Record<string, unknown>,
  live: Record<string, unknown> | undefined,
  policy: DiffPolicy,
  options: CompareOptions,
) => FieldChange[];

export interface PlanOptions {
  prune: boolean;
  allowEmpty: boolean;
  /** `--target` addresses; empty means the whole manifests. */
  targets: string[];
  /**
   * `--adopt`: take over the records of projects another source applied (its inventory kept). Without it a run
   * writes the objects but leaves another source's record as it is.
   */
  adopt?: boolean;
  /** Kinds pruned only on request (`ResourceKind.prunedOnRequest`) that this run may prune, e.g. `Bundle`. */
  pruneKinds?: string[];
  /** `--replace`: addresses written again even when in sync (ResourceKind.replace). */
  replace?: string[];
  ignoreDifferences: IgnoreDifference[];
}

export interface PlannedUnit {
  unit: ResourceUnit;
  action: Action;
  /** The plan-phase read, reused by the update's GET-modify-PUT. */
  live: LiveState | undefined;
  change: ResourceChange;
  /** `--replace`: the update goes through ResourceKind.replace. */
  replace?: boolean;
}

export interface PlannedDeletion {
  address: string;
  kind: string;
  node: string;
  /** The project whose record lists the object, or the node of the instance record (`store: 'instance'`). */
  projectKey: string;
  /** Absent: a project's record lists the object. `'instance'`: the instance record of node `projectKey`. */
  store?: 'instance';
  /** The deletion removes the whole project and everything in it. */
  wholeProject: boolean;
  /**
   * Prune of an object whose kind needs an opt-in to be deleted (`pruneNeedsOptIn: 'soft'`) and whose manifest gave
   * none: the kind's `softDelete` (a user is disabled), then the object leaves the record.
   */
  soft?: true;
}

/** A scope's ownership record before and after the run, as planned. */
export interface PlannedRecord {
  /** The project, or the node of an instance record (`store: 'instance'`). */
  projectKey: string;
  store?: 'instance';
  before: OwnershipRecord | undefined;
  after: OwnershipRecord;
}

/** The internal plan: the report shown to people plus everything the execute step needs. */
export interface Plan {
  report: PlanReport;
  units: PlannedUnit[];
  deletions: PlannedDeletion[];
  records: PlannedRecord[];
}

export interface PlanInput {
  /** Every unit of the manifests (before `--target`), for prune and scope checks. */
  allUnits: ResourceUnit[];
  /** The units of this run (after `--target`); each has been read. */
  units: ResourceUnit[];
  live: ReadonlyMap<string, LiveState | undefined>;
  /** The ownership records read, by scope id (a project's key, `instance/NODE` for a node's instance record). */
  projects: ReadonlyMap<string, ProjectOwnership>;
  /** Which record lists which unit (from the run's registry); absent: the shipped kinds' scopes. */
  scopes?: OwnershipScopes;
  source: string;
  commit?: string;
  options: PlanOptions;
  compare: CompareFn;
  /** The node of a kind and its optional describer; pure lookups. */
  nodeOf: (kind: string) => string;
  canDelete: (kind: string) => boolean;
  /** The kind's `pruneNeedsOptIn`: what prune does to an object whose manifest did not opt in to deletion. */
  pruneNeedsOptIn?: (kind: string) => 'soft' | 'keep' | undefined;
  /** Whether the kind has a `softDelete`. */
  canSoftDelete?: (kind: string) => boolean;
  /** Whether the kind can be replaced (`--replace`); absent means no kind can. */
  canReplace?: (kind: string) => boolean;
  /**
   * Kinds pruned only on request that this run was not asked to prune (bundles without `--prune-bundles`): their
   * objects stay in the inventory, so that a later run that asks can still delete them.
   */
  keptUnlessAsked?: (kind: string) => boolean;
  describeUpdate?: (unit: ResourceUnit, live: LiveState) => string[];
  /** The kind's refusals of an update (ResourceKind.validateChange); pure. */
  validateChange?: (unit: ResourceUnit, live: LiveState, changes: readonly FieldChange[]) => string[];
  /** The kind's refusals of a creation (ResourceKind.validateCreate); pure. */
  validateCreate?: (unit: ResourceUnit) => string[];
  /** Warnings found while selecting units (e.g. `--target`). */
  warnings?: string[];
  /**
   * Units already compared (`compareUnit` with this input's `compare` and ignoreDifferences) and hashed while the
   * reads went on, by address; a comparison counts only for the live state it was made with.
   */
  compared?: ReadonlyMap<string, ComparedUnit>;
}

/** A unit's field changes against the live state they were compared with, and the hash of its spec. */
export interface ComparedUnit {
  live: LiveState | undefined;
  changes: FieldChange[];
  /** `specHash(unit)`, which depends on the unit alone. */
  specHash: string;
}
