// The one interface every managed DSS object implements. The reconciler knows nothing kind-specific: it asks a
// kind for the units a document is planned as, reads them, diffs them with the kind's policy, and writes them.

import type { Logger } from '../base/logger.js';
import type { JsonSchema } from '../base/schema-check.js';
import type { DssClient } from '../dss/types.js';
import type { DiffPolicy, FieldChange } from '../diff/types.js';
import type { ManifestDocument, ManifestMetadata, Problem, SourcePosition } from '../manifest/types.js';
import type { DocumentReference } from '../manifest/references.js';
import type { KeyedList } from '../manifest/duplicates.js';

export type NodeName = 'design' | 'deployer';

export type { JsonSchema } from '../base/schema-check.js';

/** The `dss-gitops.yaml` defaults a kind applies where a manifest leaves a value out. */
export interface KindDefaults {
  /** The owner of a project created without `spec.owner` (`defaults.projectOwner`). */
  projectOwner?: string;
}

/** What a kind may use while reading or writing. */
export interface KindContext {
  /** The client of the node this kind lives on. */
  client: DssClient;
  /** Every configured node's client, for kinds that span nodes (a bundle is exported on design, published to deployer). */
  clients: Record<NodeName, DssClient>;
  log: Logger;
  signal?: AbortSignal;
  /** Reports progress of long operations (futures, rollouts) to the CLI. */
  progress?: (address: string, message: string) => void;
  /**
   * Lookups shared by the kinds during one run (e.g. the project folder tree, the project list), so that N
   * objects do not cost N identical reads. The reconciler gives each run a fresh map; without one, kinds
   * memoize on the context object itself.
   */
  runCache?: Map<string, unknown>;
  /** The configured defaults; absent means none is configured. */
  defaults?: KindDefaults;
}

/**
 * One separately planned part of a document. Most documents are one unit; a Project is several
 * (`Project/CHURN`, `Project/CHURN#metadata`, `Project/CHURN#variables`, `Project/CHURN#permissions`),
 * because each block is its own DSS endpoint and its own plan entry.
 */
export interface ResourceUnit {
  /** `Kind/name`, `Kind/project/name`, optionally `#block`. Unique across a run. */
  address: string;
  kind: string;
  doc: ManifestDocument;
  /** The block name for a sub-unit (`metadata`, `variables`...), absent for the main unit. */
  block?: string;
  /**
   * The managed fields, in the same shape as `LiveState.view`. Pure data (no secrets hidden): the diff masks
   * the paths listed as sensitive in the policy and in `doc.sensitivePaths`.
   */
  desired: Record<string, unknown>;
  policy: DiffPolicy;
  /** Addresses that must exist before this unit is written. */
  dependsOn: string[];
  /**
   * Addresses this unit is written after when they are part of the run, without requiring them to be declared
   * (e.g. a project's folder path: created on demand when no `ProjectFolder` document declares it).
   */
  orderAfter?: string[];
  /**
   * Address prefixes: the unit is written after every unit of the run whose address starts with one of them,
   * e.g. a bundle after all of its project's blocks and scenarios (`Project/CHURN`, `Scenario/CHURN/`), so that its
   * snapshot holds what the same run writes.
   */
  orderAfterPrefixes?: string[];
}

export interface LiveState {
  /** The live object reduced to the shape of `desired`, normalized; what the diff compares. */
  view: Record<string, unknown>;
  /**
   * The whole objects as DSS returned them, kept intact for GET-modify-PUT: fields we do not model survive
   * because updates start from these.
   */
  raw: unknown;
  /** Server-side change markers, e.g. `versionTag`, for drift reports. */
  changedBy?: { by?: string; at?: string };
  /**
   * What the plan should tell the user about the live object without it being a change, e.g. a deployment whose
   * health is ERROR because its scenarios fail, or a write-only secret DSS does not let us compare.
   */
  notices?: string[];
  /**
   * JSON pointers (into the unit's desired object) whose difference the kind knows to come from the manifests, not
   * from DSS: a write-only secret rotated in the manifests or the environment since dss-gitops wrote it (told by a
   * hash the kind keeps). `drift` reports a difference on these alone as pending, never as drift.
   */
  pendingPointers?: string[];
}

/** The outcome of a write, for the per-object report. */
export interface WriteResult {
  /** Extra lines for the report, e.g. `rolled back to bundle v11`. */
  notes?: string[];
  /**
   * The object as the write left it in DSS (the body of its PUT, or what it read when there was nothing to write),
   * where the kind knows it: a project's metadata, over which the run's ownership record of a project it created is
   * then written without reading the metadata a third time.
   */
  written?: Record<string, unknown>;
  /** The write carried `WriteExtras.carry`: what it laid over the object is in DSS with the unit's own fields. */
  carried?: boolean;
}

/** What the reconciler asks a unit's write to carry besides the unit's own fields. */
export interface WriteExtras {
  /**
   * Lays something over the body the unit writes, after its managed fields: an ownership record kept in the object
   * the unit writes (a project's metadata), so that one GET-modify-PUT writes both. A kind that honours it says so
   * (`WriteResult.carried`); otherwise the reconciler writes the record on its own. Pure; never mutates its argument.
   */
  carry?: (object: Record<string, unknown>) => Record<string, unknown>;
}

export interface ResourceKind {
  readonly kind: string;
  readonly node: NodeName;
  readonly schema: JsonSchema;
  /** Splits a validated document into the units that are planned separately. Pure. */
  units(doc: ManifestDocument): ResourceUnit[];
  /** The live state of a unit, or `undefined` when it does not exist (404 is absence, not an error). */
  read(ctx: KindContext, unit: ResourceUnit): Promise<LiveState | undefined>;
  create(ctx: KindContext, unit: ResourceUnit, extras?: WriteExtras): Promise<WriteResult | void>;
  /** GET-modify-PUT: starts from `live.raw` and sets only the managed fields. */
  update(ctx: KindContext, unit: ResourceUnit, live: LiveState, extras?: WriteExtras): Promise<WriteResult | void>;
  /**
   * `--replace ADDRESS`: writes the object again even when it is in sync (the update, if any, then the kind's
   * re-creation, e.g. a deployment's rollout). Kinds that cannot be replaced leave it out, and `--replace` of one
   * of their objects is refused at plan time.
   */
  replace?(ctx: KindContext, unit: ResourceUnit, live: LiveState): Promise<WriteResult | void>;
  /** Deletes the object at `address` (prune). Kinds that are never pruned leave it out. */
  delete?(ctx: KindContext, address: string): Promise<void>;
  /**
   * The ids of the live objects of this kind in a project, for drift's unmanaged detection (an object under a
   * managed project that no manifest declares). Project-scoped kinds that DSS lists per project provide it.
   */
  listInProject?(client: DssClient, projectKey: string): Promise<string[]>;
  /**
   * Where export writes a document of this kind (relative to the output directory, `/`-separated), when the
   * default does not fit: `<kinds>/NAME.yaml`, under `PROJECT/` (project-scoped) or `deployer/` in `by-project`.
   */
  exportPath?(name: string, layout: 'by-project' | 'by-kind'): string;
  /**
   * Objects of this kind are in a project: `metadata.project` names it (the schema requires it) and the address is
   * `Kind/PROJECT/NAME`. The registry declares it to `manifest/address.ts`, which parses addresses by it.
   */
  readonly projectScoped?: boolean;
  /**
   * Checks of a document beyond its schema, made when it is loaded: problems at its lines, values no output may
   * show, and the spec completed from files inside the manifests tree (a scenario's `scriptFile` read into `script`,
   * so that planning stays pure). Reads files through `readFile` (or under `files`' rules), never the network.
   */
  checkDocument?(doc: LoadingDocument): DocumentCheck;
  /**
   * The lists of a document whose items the kind's policy matches by key (triggers by `id`, grants by `group` or
   * `user`): two items with one key are an error when the manifests are loaded.
   */
  readonly keyedLists?: readonly KeyedList[];
  /**
   * The kind's role in `promote`: its objects run a bundle (`bundle`), which promote moves from one stage's object
   * to the next one's through the manifest. One kind of a registry has it.
   */
  readonly promotes?: 'bundle';
  /** An object of this kind is a scope itself: its name is the key of the project its objects belong to. */
  readonly definesScope?: 'project';
  /**
   * For the kind that `definesScope`: whether the scope `key` exists in DSS, told from what the run reads anyway (a
   * project from the project list, read once per run). `false` lets the reconciler take every object of the scope as
   * absent without reading it; `undefined` when the kind cannot tell (the objects are read).
   */
  scopeExists?(ctx: KindContext, key: string): Promise<boolean | undefined>;
  /**
   * For the kind that `definesScope`: the key of every scope on the node, from what the run reads anyway (the project
   * list, read once per run): prune finds there the projects that left the manifests. Absent: the reconciler lists
   * the projects itself.
   */
  scopeKeys?(ctx: KindContext): Promise<string[]>;
  /**
   * Which ownership record lists this kind's objects (what prune may delete, what drift compares with the recorded
   * spec hash). Absent: the project's record for objects of a project (the project itself and what `metadata.project`
   * names), none otherwise. `'instance'`: the instance record of the kind's node, for platform objects that belong to
   * no project (groups, users, connections, code envs, plugins, instance settings).
   */
  readonly ownership?: 'instance';
  /**
   * The names of every live object of this kind on its node, for drift's unmanaged detection of instance-scoped
   * kinds (`ownership: 'instance'`): a group, user or connection made by hand is listed as unmanaged. `ctx`, when
   * given, is the run's context: a list the run already read (`runCache`) is not read again.
   */
  listOnNode?(client: DssClient, ctx?: KindContext): Promise<string[]>;
  /**
   * What prune does to an object of this kind whose manifest did not opt in with the annotation
   * `dss-gitops/prune: "delete"` (recorded in the ownership record when applied). Absent: prune deletes it.
   * `'soft'`: prune calls `softDelete` instead (a user is disabled: deleting one destroys what they own in DSS).
   * `'keep'`: prune leaves it in DSS and stops managing it, with a warning (a plugin is not uninstalled).
   */
  readonly pruneNeedsOptIn?: 'soft' | 'keep';
  /** Prune of an object that did not opt in to deletion, for kinds with `pruneNeedsOptIn: 'soft'`. */
  softDelete?(ctx: KindContext, address: string): Promise<void>;
  /**
   * The addresses a document refers to, checked offline by `validate`: each must be declared in the manifests or
   * listed under `external` in `dss-gitops.yaml`, or satisfied otherwise (`satisfiedBy`). Pure. Ordering comes from
   * the units (`dependsOn`, `orderAfter`).
   */
  references?(doc: ManifestDocument): DocumentReference[];
  /**
   * Why self-heal leaves this drift alone (reverting it would fail again), or undefined to heal it. A deployment
   * whose only drift is that it does not run its bundle: rolling the same bundle out every tick would fail again.
   */
  healSkip?(changes: readonly FieldChange[]): string | undefined;
  /**
   * Objects of this kind are pruned only when the run names the kind in `PlanOptions.pruneKinds` (bundles:
   * `--prune-bundles`), never by `--prune` alone.
   */
  readonly prunedOnRequest?: boolean;
  /**
   * Extra plan lines for an update, e.g. a deployment rollout. Pure.
   */
  describeUpdate?(unit: ResourceUnit, live: LiveState): string[];
  /**
   * Plan errors for an update the kind refuses (e.g. a changed spec of an immutable bundle), worded for the user;
   * empty when the update is fine. Any error stops the plan before anything is written. Pure.
   */
  validateChange?(unit: ResourceUnit, live: LiveState, changes: readonly FieldChange[]): string[];
  /**
   * Plan errors for a creation the kind refuses (e.g. a project with no owner to create it with), worded for the
   * user; empty when the creation is fine. Like `validateChange`, any error stops the plan before anything is
   * written. Pure.
   */
  validateCreate?(unit: ResourceUnit, defaults: KindDefaults): string[];
  /**
   * `export`: the live objects of this kind in `scope`, as documents whose units read every exportable field
   * (their spec asks for each field; the values are placeholders). Kinds that cannot be exported leave it out.
   */
  listForExport?(ctx: KindContext, scope: ExportScope): Promise<ManifestDocument[]>;
  /**
   * `export`: the manifest spec of a listed document from the live state of its units (absent units left out).
   * Pure. Leaves out what the server manages and what DSS fills in by default; never returns a secret value.
   */
  exportSpec?(doc: ManifestDocument, live: readonly ExportedUnit[]): ExportedSpec;
}

export type { DocumentReference } from '../manifest/references.js';

/** A document being loaded, as a kind's `checkDocument` sees it: after interpolation and its schema. */
export interface LoadingDocument {
  /** The document's metadata (its name, e.g. the plugin a plugin archive must hold). */
  metadata: Readonly<ManifestMetadata>;
  /** The interpolated spec. Not to be changed in place: a completed spec is returned instead. */
  spec: Readonly<Record<string, unknown>>;
  /** The position of a value by JSON pointer from the document root, for problems (`/spec/scriptFile`). */
  valuePosition(pointer: string): SourcePosition;
  /** Pointers of values that came from a `${secret:..}` reference. */
  sensitivePointers: readonly string[];
  /** Pointers of values whose reference did not resolve (already an error of their own). */
  unresolvedPointers: readonly string[];
  /**
   * A file the document names, relative to the manifest and inside the manifests tree, at most `limit` bytes; or
   * why it cannot be read (outside the tree, missing, too large).
   */
  readFile(given: string, limit: number): { text: string } | { reason: string };
  /**
   * Where the files the document names are: relative paths start at the manifest's directory, and nothing outside
   * the manifests tree `root` is read. For files that are not text (a plugin archive), read under the same rules.
   */
  files: { fromDirectory: string; root: string };
}

/** What a kind's `checkDocument` found. */
export interface DocumentCheck {
  problems?: Problem[];
  /** Values no output may show (a literal key written in the manifest). */
  secrets?: string[];
  /** The spec to plan with, when the check completes it (a script file read into the spec). */
  spec?: Record<string, unknown>;
}

/** What `export` writes: the projects (resolved keys, sorted) and, with `--deployer`, the deployer's objects. */
export interface ExportScope {
  projectKeys: readonly string[];
  /** `--all-projects`: every object of the node, also those (deployer ones) tied to no project of the design node. */
  allProjects: boolean;
  deployer: boolean;
  /** `--platform`: also the node's platform objects (instance-scoped kinds: groups, users, connections...). */
  platform: boolean;
}

export interface ExportedUnit {
  unit: ResourceUnit;
  live: LiveState;
}

/** A secret left out of an exported spec, replaced by the `${secret:NAME}` reference to provide. */
export interface ExportedSecret {
  /** The environment variable name in the reference. */
  name: string;
  /** Where it was, for the list printed to the user, e.g. `Project/CHURN spec.variables.standard.dbPassword`. */
  where: string;
}

export interface ExportedSpec {
  spec: Record<string, unknown>;
  /** Files written beside the manifest, by name relative to it (e.g. a python scenario's script). */
  files?: Record<string, string>;
  secrets?: ExportedSecret[];
  /**
   * Addresses the spec refers to that are not exported but exist in DSS (e.g. the bundle a deployment runs):
   * listed under `external` in the exported `dss-gitops.yaml`, so that the reference checks accept them.
   */
  external?: string[];
}
