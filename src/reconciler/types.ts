// Data shared by the plan, read and execute steps of the reconciler.

import type { IgnoreDifference } from '../config/types.js';
import type { Action, DiffPolicy, FieldChange, PlanReport, ResourceChange } from '../diff/types.js';
import type { LiveState, ResourceUnit } from '../resources/types.js';
import type { OwnershipRecord, ProjectOwnership } from './ownership.js';

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
  projectKey: string;
  /** The deletion removes the whole project and everything in it. */
  wholeProject: boolean;
}

/** A project's ownership record before and after the run, as planned. */
export interface PlannedRecord {
  projectKey: string;
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
  projects: ReadonlyMap<string, ProjectOwnership>;
  source: string;
  commit?: string;
  options: PlanOptions;
  compare: CompareFn;
  /** The node of a kind and its optional describer; pure lookups. */
  nodeOf: (kind: string) => string;
  canDelete: (kind: string) => boolean;
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
}
