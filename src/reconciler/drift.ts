// Drift classification (DESIGN §4), pure: every unit whose live state differs from its manifest is sorted into
// drift (DSS changed since the last apply), pending (the manifest changed and was not applied yet) or, for live
// objects nobody declared, unmanaged. The recorded spec hashes of the ownership records tell drift from pending.

import { compareText } from '../base/order.js';
import { isObject } from '../base/json.js';
import { FORMAT_VERSION, type Action, type FieldChange } from '../diff/types.js';
import type { LiveState, ResourceUnit } from '../resources/types.js';
import { specHash } from './hash.js';
import type { ProjectOwnership } from './ownership.js';
import { defaultScopes, refOf, scopeId, type OwnershipScopes } from './ownership/scopes.js';
import type { PlannedUnit } from './types.js';

export type DriftClass = 'drift' | 'pending' | 'unmanaged';

export interface DriftEntry {
  address: string;
  kind: string;
  node: string;
  class: DriftClass;
  /** What `apply` (or `watch --self-heal` for drift) would do to bring DSS back to the manifests. */
  action: Action;
  /** Live (before) → manifest (after), secrets masked; empty for unmanaged objects. */
  changes: FieldChange[];
  /** Why the object got its class, in a sentence. */
  reason: string;
  /**
   * False for drift told without an ownership record (folders, deployer objects: neither a project's nor a node's
   * instance record lists them): any live difference, which may also be a manifest change. `watch --self-heal`
   * repairs recorded drift only.
   */
  recorded?: false;
  /** Who last changed the object and when, where DSS records it. */
  changedBy?: string;
  changedAt?: string;
}

export interface DriftSummary {
  drifted: number;
  pending: number;
  unmanaged: number;
  inSync: number;
}

/** What `drift` reports; the JSON output is this structure. */
export interface DriftReport {
  formatVersion: string;
  /** The manifests' commit, when they live in git. */
  commit?: string;
  drift: DriftEntry[];
  pending: DriftEntry[];
  unmanaged: DriftEntry[];
  /** Addresses of the declared objects that match DSS. */
  inSync: string[];
  summary: DriftSummary;
  warnings: string[];
}

/** A live object found by listing a managed project (e.g. its scenarios) or a node (its groups, users...). */
export interface ListedObject {
  address: string;
  kind: string;
  node: string;
  /** The project it is in, or the node whose instance record would list it (`store: 'instance'`). */
  projectKey: string;
  store?: 'instance';
}

export interface ClassifyInput {
  /** The planned units of the whole manifests (no `--target`). */
  units: PlannedUnit[];
  /** The ownership records read, by scope id (a project's key, `instance/NODE`). */
  projects: ReadonlyMap<string, ProjectOwnership>;
  /** Which record lists which unit (from the run's registry); absent: the shipped kinds' scopes. */
  scopes?: OwnershipScopes;
  /** This run's source: an object another source's instance record lists is that source's, not unmanaged. */
  source?: string;
  /** Live objects listed in managed projects, for unmanaged and removed objects. */
  listed: ListedObject[];
  commit?: string;
  warnings?: string[];
}

/** DSS's `versionTag` somewhere near the top of a kind's raw state (`raw`, `raw.settings`, `raw.object`...). */
function versionTagOf(raw: unknown): Record<string, unknown> | undefined {
  if (!isObject(raw)) return undefined;
  if (isObject(raw.versionTag)) return raw.versionTag;
  for (const value of Object.values(raw)) if (isObject(value) && isObject(value.versionTag)) return value.versionTag;
  return undefined;
}

/** Who changed the object and when: the kind's own marker, else the `versionTag` DSS keeps on most objects. */
export function changeMarkerOf(live: LiveState | undefined): { by?: string; at?: string } {
  if (live === undefined) return {};
  if (live.changedBy !== undefined) return live.changedBy;
  const tag = versionTagOf(live.raw);
  if (tag === undefined) return {};
  const who = tag.lastModifiedBy;
  const by = typeof who === 'string' ? who : isObject(who) && typeof who.login === 'string' ? who.login : undefined;
  const on = tag.lastModifiedOn;
  // DSS stamps epoch milliseconds; an ISO string is passed through.
  const at = typeof on === 'number' && Number.isFinite(on) ? new Date(on).toISOString() : typeof on === 'string' ? on : undefined;
  return { ...(by === undefined ? {} : { by }), ...(at === undefined ? {} : { at }) };
}

function classifyUnit(planned: PlannedUnit, projects: ReadonlyMap<string, ProjectOwnership>, scopes: OwnershipScopes): DriftEntry {
  const { unit, change } = planned;
  const base = { address: unit.address, kind: unit.kind, node: change.node, action: planned.action, changes: change.changes };
  const ref = scopes.scopeOf(unit);
  const key = ref === undefined ? undefined : scopeId(ref);
  if (key === undefined) {
    // Objects no record lists (folders, deployer objects) have nothing to compare with: a missing object is
    // pending, and any live difference counts as drift, so that a change made in DSS is never missed.
    if (planned.action === 'create') return { ...base, class: 'pending', reason: 'not created yet' };
    const reason = 'DSS differs from the manifest (no ownership record outside projects to tell drift from pending)';
    return withMarker({ ...base, class: 'drift', reason, recorded: false }, planned.live);
  }
  const entry = projects.get(key)?.record?.inventory[unit.address];
  const pendingPointers = new Set(planned.live?.pendingPointers ?? []);
  if (entry !== undefined && change.changes.length > 0 && change.changes.every((c) => pendingPointers.has(c.pointer))) {
    return withMarker({ ...base, class: 'pending', reason: 'a write-only secret changed in the manifests or the environment since the last apply' }, planned.live);
  }
  if (entry === undefined) {
    return { ...base, class: 'pending', reason: planned.action === 'create' ? 'never applied' : 'never applied: DSS holds other values' };
  }
  if (entry.hash !== specHash(unit)) {
    return withMarker({ ...base, class: 'pending', reason: 'the manifest changed since the last apply' }, planned.live);
  }
  const reason =
    planned.action === 'create' ? 'deleted in DSS since the last apply' : 'changed in DSS since the last apply (the manifest did not change)';
  return withMarker({ ...base, class: 'drift', reason }, planned.live);
}

function withMarker(entry: DriftEntry, live: LiveState | undefined): DriftEntry {
  const marker = changeMarkerOf(live);
  return {
    ...entry,
    ...(marker.by === undefined ? {} : { changedBy: marker.by }),
    ...(marker.at === undefined ? {} : { changedAt: marker.at }),
  };
}

function classifyListed(
  listed: ListedObject[],
  declared: ReadonlySet<string>,
  projects: ReadonlyMap<string, ProjectOwnership>,
  source: string | undefined,
): DriftEntry[] {
  const out: DriftEntry[] = [];
  for (const object of listed) {
    if (declared.has(object.address)) continue;
    const base = { address: object.address, kind: object.kind, node: object.node, changes: [] };
    const record = projects.get(scopeId(refOf(object)))?.record;
    const owned = record?.inventory[object.address] !== undefined;
    if (object.store === 'instance') {
      // A node is shared: what another source's record lists is that source's to manage, not unmanaged.
      if (owned && record?.source !== source) continue;
      out.push(
        owned
          ? { ...base, class: 'pending', action: 'delete', reason: 'left the manifests; `apply --prune` prunes it' }
          : { ...base, class: 'unmanaged', action: 'no-op', reason: `in DSS on node ${object.node}, declared in no manifest and listed in no record` },
      );
      continue;
    }
    if (owned) {
      // Applied earlier and since removed from the manifests: a manifest change that `apply --prune` carries out.
      out.push({ ...base, class: 'pending', action: 'delete', reason: 'left the manifests; `apply --prune` deletes it' });
    } else {
      out.push({ ...base, class: 'unmanaged', action: 'no-op', reason: 'in DSS under a managed project, declared in no manifest' });
    }
  }
  return out;
}

const byAddress = (a: { address: string }, b: { address: string }): number => compareText(a.address, b.address);

/** Classifies a plan of the whole manifests. Pure. */
export function classifyDrift(input: ClassifyInput): DriftReport {
  const entries: DriftEntry[] = [];
  const inSync: string[] = [];
  for (const planned of input.units) {
    if (planned.action === 'no-op') inSync.push(planned.unit.address);
    else entries.push(classifyUnit(planned, input.projects, input.scopes ?? defaultScopes()));
  }
  const declared = new Set(input.units.map((p) => p.unit.address));
  entries.push(...classifyListed(input.listed, declared, input.projects, input.source));
  const of = (cls: DriftClass): DriftEntry[] => entries.filter((e) => e.class === cls).sort(byAddress);
  const drift = of('drift');
  const pending = of('pending');
  const unmanaged = of('unmanaged');
  return {
    formatVersion: FORMAT_VERSION,
    ...(input.commit === undefined ? {} : { commit: input.commit }),
    drift,
    pending,
    unmanaged,
    inSync: inSync.sort(),
    summary: { drifted: drift.length, pending: pending.length, unmanaged: unmanaged.length, inSync: inSync.length },
    warnings: [...(input.warnings ?? [])],
  };
}

/** The projects the manifests manage as a whole (a `Project` document): where undeclared objects are unmanaged. */
export function managedProjects(units: readonly ResourceUnit[], scopes: OwnershipScopes = defaultScopes()): string[] {
  // A unit that is its own project scope (the main unit of a project, not one of its blocks) declares the project.
  const declaring = units.filter((u) => u.block === undefined && u.doc.metadata.project === undefined);
  const keys = declaring.flatMap((u) => {
    const ref = scopes.scopeOf(u);
    return ref?.store === 'project' ? [ref.key] : [];
  });
  return [...new Set(keys)].sort();
}
