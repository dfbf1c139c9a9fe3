// One run of the reconciler, end to end: documents → units → read → plan, and plan → execute. The CLI, the
// benchmark and the tests all go through here; the steps themselves stay separate (read and execute do I/O,
// plan does none).

import type { IgnoreDifference } from '../config/types.js';
import type { ApplyReport, FieldChange } from '../diff/types.js';
import type { DssClient } from '../dss/types.js';
import type { ManifestDocument } from '../manifest/types.js';
import { kindOf, type KindRegistry } from '../resources/registry.js';
import type { Logger } from '../base/logger.js';
import type { KindContext, KindDefaults, LiveState, NodeName, ResourceKind, ResourceUnit } from '../resources/types.js';
import { executePlan } from './execute.js';
import type { NodeState } from './graph.js';
import type { ProjectOwnership } from './ownership.js';
import { ownershipScopes } from './ownership/scopes.js';
import { sensitivePointersOf, specHash } from './hash.js';
import { compareUnit, planChanges } from './plan.js';
import { mayRefuse, readLive, type ReadResult } from './read.js';
import { selectUnits, unselectedPrerequisites, type Selection } from './select.js';
import type { CompareFn, ComparedUnit, Plan, PlanOptions } from './types.js';

export interface RunSetup {
  registry: KindRegistry;
  clients: Record<NodeName, DssClient>;
  log: Logger;
  parallelism: number;
  compare: CompareFn;
  /** Identifies the manifests tree in ownership records. */
  source: string;
  commit?: string;
  options: PlanOptions;
  onProgress?: (address: string, state: NodeState | 'read') => void;
  /** Reads ended of the reads known so far, as the plan reads DSS. */
  onReadProgress?: (done: number, total: number) => void;
  /** Messages of long operations (a rollout's steps), one call per change. */
  onMessage?: (address: string, message: string) => void;
  /**
   * Called once per node as soon as the plan's reads show that the run will write to it (a unit absent or changed):
   * an apply that writes without asking takes the run lock then, while the plan goes on.
   */
  onWriteFound?: (node: NodeName) => void;
  /** `dss-gitops.yaml` defaults the kinds apply (e.g. the owner of a project created without one). */
  defaults?: KindDefaults;
}

export interface PlannedRun {
  plan: Plan;
  allUnits: ResourceUnit[];
  projects: Map<string, ProjectOwnership>;
  /** The kinds' contexts of the plan's reads; apply goes on with them, so the run cache is read once per run. */
  contextFor?: (kind: ResourceKind) => KindContext;
}

/**
 * `--target` as Terraform has it: a target's prerequisites come along. `dependsOn` ones always (selectUnits); for
 * Project Deployer objects, which name theirs by id and are refused by DSS while they are missing, also the ones
 * they are only ordered after (a deployment's bundle, published project, infra) when those do not exist in DSS
 * yet. Existing ones are left out, so that a target stays small; on the design node order edges stay order only
 * (a project is created fine before its folder).
 */
async function withAbsentPrerequisites(
  units: ResourceUnit[],
  targets: string[],
  follow: (unit: ResourceUnit) => boolean,
  read: (unit: ResourceUnit) => Promise<unknown>,
): Promise<Selection> {
  const byAddress = new Map(units.map((u) => [u.address, u]));
  const checked = new Set<string>();
  const added: string[] = [];
  let selection = selectUnits(units, targets);
  for (;;) {
    const candidates = unselectedPrerequisites(selection.units, units, follow).filter((a) => !checked.has(a));
    if (candidates.length === 0) break;
    candidates.forEach((a) => checked.add(a));
    const absent = (await Promise.all(candidates.map(async (a) => ((await read(byAddress.get(a) as ResourceUnit)) === undefined ? a : undefined))))
      .filter((a): a is string => a !== undefined);
    if (absent.length === 0) break;
    added.push(...absent);
    selection = selectUnits(units, [...targets, ...added]);
  }
  if (added.length === 0) return selection;
  return {
    units: selection.units,
    warnings: [
      ...selection.warnings,
      `--target also covers ${added.sort().join(', ')}: the targets are written after them, and they do not exist in DSS yet`,
    ],
  };
}

/** The units of the documents, in the kinds' own split (a Project is several units). */
export function unitsOf(documents: ManifestDocument[], registry: KindRegistry): ResourceUnit[] {
  return documents.flatMap((doc) => kindOf(registry, doc.kind).units(doc));
}

/**
 * The kinds' contexts of one plan (and the apply that follows it), sharing one run cache. `runCache` may start with
 * answers the run read before it planned (the preflight's), when the plan may be as old as they are.
 */
export function contextFactory(setup: RunSetup, runCache = new Map<string, unknown>()): (kind: ResourceKind) => KindContext {
  // One context per kind, made at its first use: a plan asks for one per read (and two per unit of a project), and
  // every one of a kind held the same things.
  const made = new Map<ResourceKind, KindContext>();
  return (kind) => {
    let context = made.get(kind);
    if (context === undefined) {
      context = newContext(setup, runCache, kind);
      made.set(kind, context);
    }
    return context;
  };
}

function newContext(setup: RunSetup, runCache: Map<string, unknown>, kind: ResourceKind): KindContext {
  return {
    client: setup.clients[kind.node],
    clients: setup.clients,
    log: setup.log,
    runCache,
    ...(setup.defaults ? { defaults: setup.defaults } : {}),
    ...(setup.onProgress || setup.onMessage
      ? {
          progress: (address: string, message: string) => {
            setup.onMessage?.(address, message);
            setup.onProgress?.(address, 'running');
          },
        }
      : {}),
  };
}

/** Longest stretch of comparisons between two turns of the event loop: the reads' answers wait no longer. */
const COMPARE_SLICE_MS = 2;

/**
 * The plan's comparisons (and the spec hashes its records list), done while the reads go on: the CPU mostly waits
 * for DSS then, and the comparisons and hashes left for after the last read were the plan's longest steps. Each unit is compared as its live state arrives, in slices
 * of at most COMPARE_SLICE_MS after the event loop has handled the I/O ready (setImmediate), so that the reads'
 * answers are not held up. The comparison is the plan's own (`compareUnit`); one that throws is left for the plan,
 * which compares it again and reports the error as it always does.
 */
export class CompareAhead {
  readonly #compare: CompareFn;
  readonly #ignoreDifferences: IgnoreDifference[];
  readonly #queue: Array<{ unit: ResourceUnit; live: LiveState | undefined }> = [];
  readonly #compared = new Map<string, ComparedUnit>();
  #next = 0;
  #scheduled = false;
  #stopped = false;
  /** Called once the queue is empty (drained). */
  #idle: (() => void) | undefined;

  readonly #onCompared: OnCompared | undefined;

  /** `onCompared` is called with each unit compared (not with one whose comparison threw). */
  constructor(compare: CompareFn, ignoreDifferences: IgnoreDifference[], onCompared?: OnCompared) {
    this.#compare = compare;
    this.#ignoreDifferences = ignoreDifferences;
    this.#onCompared = onCompared;
  }

  /** Queues `unit`, just read with `live` as its state. */
  add(unit: ResourceUnit, live: LiveState | undefined): void {
    if (this.#stopped) return;
    this.#queue.push({ unit, live });
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#slice);
    }
  }

  /**
   * Resolves once every unit queued so far is compared, the slices going on between turns of the event loop as
   * before: the I/O of the run (the run lock's round trips) is handled between them.
   */
  drained(): Promise<void> {
    if (this.#stopped || this.#next >= this.#queue.length) return Promise.resolve();
    return new Promise((resolve) => {
      const before = this.#idle;
      this.#idle = () => {
        before?.();
        resolve();
      };
    });
  }

  /** Stops comparing (what is still queued is left to the plan) and gives what was compared, by address. */
  stop(): ReadonlyMap<string, ComparedUnit> {
    this.#stopped = true;
    this.#queue.length = 0;
    this.#wake();
    return this.#compared;
  }

  #slice = (): void => {
    const until = performance.now() + COMPARE_SLICE_MS;
    while (this.#next < this.#queue.length) {
      const { unit, live } = this.#queue[this.#next++] as { unit: ResourceUnit; live: LiveState | undefined };
      try {
        const sensitive = sensitivePointersOf(unit);
        const changes = compareUnit(unit, live, this.#compare, this.#ignoreDifferences, sensitive);
        this.#compared.set(unit.address, { live, changes, specHash: specHash(unit, sensitive) });
        this.#onCompared?.(unit, live, changes);
      } catch {
        // Left to the plan, which reports it.
      }
      if (performance.now() >= until) break;
    }
    if (this.#next < this.#queue.length) {
      setImmediate(this.#slice);
      return;
    }
    this.#queue.length = 0;
    this.#next = 0;
    this.#scheduled = false;
    this.#wake();
  };

  #wake(): void {
    const idle = this.#idle;
    this.#idle = undefined;
    idle?.();
  }
}

type OnCompared = (unit: ResourceUnit, live: LiveState | undefined, changes: FieldChange[]) => void;

/**
 * `setup.onWriteFound` as the early comparisons find writes: called once per node written, once no unit the plan may
 * refuse is left to compare and none was refused, so that a plan refused writes nothing, not even the run lock
 * (readLive reads those units first). A unit whose comparison threw is left to the plan: then it is never called.
 */
function writeFound(setup: RunSetup, units: ResourceUnit[]): OnCompared | undefined {
  const found = setup.onWriteFound;
  if (found === undefined) return undefined;
  let unsettled = units.filter((u) => mayRefuse(setup.registry.get(u.kind))).length;
  let refused = false;
  const written = new Set<NodeName>();
  const told = new Set<NodeName>();
  return (unit, live, changes) => {
    const kind = setup.registry.get(unit.kind);
    if (mayRefuse(kind)) {
      unsettled -= 1;
      const refusals =
        live === undefined ? kind?.validateCreate?.(unit, setup.defaults ?? {}) : changes.length > 0 ? kind?.validateChange?.(unit, live, changes) : [];
      if (refusals !== undefined && refusals.length > 0) refused = true;
    }
    if (live === undefined || changes.length > 0) written.add(kind?.node ?? 'design');
    if (refused || unsettled > 0) return;
    for (const node of written) {
      if (told.has(node)) continue;
      told.add(node);
      found(node);
    }
  };
}

/**
 * Reads what the documents need and plans. Sends GET requests only, none before `connected` settles (the run's
 * preflight, which may still wait for its answer while the units, their selection and the comparisons are set up).
 */
export async function planRun(
  setup: RunSetup,
  documents: ManifestDocument[],
  contextFor = contextFactory(setup),
  connected: Promise<unknown> = Promise.resolve(),
): Promise<PlannedRun> {
  const allUnits = unitsOf(documents, setup.registry);
  const targeted = setup.options.targets.length > 0;
  if (targeted) await connected;
  const selection = targeted
    ? await withAbsentPrerequisites(
        allUnits,
        setup.options.targets,
        (unit) => setup.registry.get(unit.kind)?.node === 'deployer',
        (unit) => kindOf(setup.registry, unit.kind).read(contextFor(kindOf(setup.registry, unit.kind)), unit),
      )
    : selectUnits(allUnits, setup.options.targets);
  const scopes = ownershipScopes(setup.registry);
  const declaredProjects = new Set(
    allUnits.flatMap((u) => {
      const ref = scopes.scopeOf(u);
      return ref?.store === 'project' ? [ref.key] : [];
    }),
  );
  const ahead = new CompareAhead(setup.compare, setup.options.ignoreDifferences, writeFound(setup, selection.units));
  let read: ReadResult;
  try {
    await connected;
    read = await readLive({
      units: selection.units,
      kindOf: (name) => kindOf(setup.registry, name),
      contextFor,
      designClient: setup.clients.design,
      parallelism: setup.parallelism,
      // The nodes' pools keep at most the parallelism of requests on the wire each: as many more wait in them.
      readsAhead: setup.parallelism,
      discoverProjects: setup.options.prune && !targeted,
      declaredProjects,
      clients: setup.clients,
      scopes,
      ...(setup.onReadProgress ? { onRead: setup.onReadProgress } : {}),
      onLive: (unit, state) => ahead.add(unit, state),
    });
  } catch (error) {
    ahead.stop();
    throw error;
  }
  const { live, projects } = read;
  // An apply that takes its run lock as the plan shows a write: the comparisons still queued go on in slices, so that
  // the lock is asked for as soon as they show a write and its round trips and settle delay pass while they run (a
  // fresh apply reads nothing after the project list: its comparisons would otherwise all run before the lock).
  if (setup.onWriteFound) await ahead.drained();
  const compared = ahead.stop();
  const plan = planChanges({
    allUnits,
    units: selection.units,
    live,
    projects,
    source: setup.source,
    ...(setup.commit !== undefined ? { commit: setup.commit } : {}),
    options: setup.options,
    compare: setup.compare,
    nodeOf: (name) => setup.registry.get(name)?.node ?? 'design',
    scopes,
    canDelete: (name) => setup.registry.get(name)?.delete !== undefined,
    pruneNeedsOptIn: (name) => setup.registry.get(name)?.pruneNeedsOptIn,
    canSoftDelete: (name) => setup.registry.get(name)?.softDelete !== undefined,
    canReplace: (name) => setup.registry.get(name)?.replace !== undefined,
    keptUnlessAsked: (name) =>
      setup.registry.get(name)?.prunedOnRequest === true && !(setup.options.pruneKinds ?? []).includes(name),
    describeUpdate: (unit, state) => setup.registry.get(unit.kind)?.describeUpdate?.(unit, state) ?? [],
    validateChange: (unit, state, changes) => setup.registry.get(unit.kind)?.validateChange?.(unit, state, changes) ?? [],
    validateCreate: (unit) => setup.registry.get(unit.kind)?.validateCreate?.(unit, setup.defaults ?? {}) ?? [],
    warnings: selection.warnings,
    compared,
  });
  return { plan, allUnits, projects, contextFor };
}

/**
 * Writes a plan. The plan-phase reads and run cache are reused (DESIGN: no object is read twice in one run), unless
 * the caller passes other contexts.
 */
export async function applyRun(
  setup: RunSetup,
  planned: PlannedRun,
  contextFor = planned.contextFor ?? contextFactory(setup),
): Promise<ApplyReport> {
  return executePlan({
    plan: planned.plan,
    kindOf: (name) => kindOf(setup.registry, name),
    contextFor,
    designClient: setup.clients.design,
    projects: planned.projects,
    clients: setup.clients,
    scopes: ownershipScopes(setup.registry),
    parallelism: setup.parallelism,
    log: setup.log,
    ...(setup.onProgress ? { onProgress: setup.onProgress } : {}),
  });
}
