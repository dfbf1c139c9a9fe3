// The read step: the live state of every unit of a run and the ownership record of every scope involved (each
// project, each node's instance record), read concurrently up to `--parallelism`, each object exactly once. A
// project's record comes from its `#metadata` unit's read when the manifests manage that block, so that the
// metadata is not read twice.

import { PROJECT_SCOPE_KIND, projectAddress } from './scope.js';
import { runPool } from '../base/limit.js';
import { byText } from '../base/order.js';
import { DssGitopsError } from '../errors.js';
import type { DssClient } from '../dss/types.js';
import type { KindContext, LiveState, NodeName, ResourceKind, ResourceUnit } from '../resources/types.js';
import { defaultScopes, scopeId, type OwnershipScopes } from './ownership/scopes.js';
import { readInstanceOwnership, readInstanceOwnershipForPrune } from './ownership/instance-store.js';
import { scopeAddressOf } from './ownership/stores.js';
import {
  isMetadataObject,
  listProjectKeys,
  ownershipFromMetadata,
  readOwnership,
  type ProjectOwnership,
} from './ownership.js';

export interface ReadInput {
  units: ResourceUnit[];
  kindOf: (kind: string) => ResourceKind;
  contextFor: (kind: ResourceKind) => KindContext;
  /** The client of the node that holds projects (the design node). */
  designClient: DssClient;
  /** Reads in flight at once. */
  parallelism: number;
  /**
   * Reads started beyond the parallelism, for clients whose pool holds at most the parallelism of requests on the
   * wire and keeps the others waiting for a connection (a DssClient's own pool): each of those goes onto a
   * connection as an answer frees it rather than after that answer has been processed (see transport.ts,
   * #answer). 0 when absent.
   */
  readsAhead?: number;
  /** Also read the records of projects the manifests no longer declare (prune). */
  discoverProjects: boolean;
  /** Project keys declared anywhere in the manifests (not only in this run's selection). */
  declaredProjects: Set<string>;
  /** Every node's client, for the instance records; absent: the design client for each. */
  clients?: Partial<Record<NodeName, DssClient>>;
  /** The run's ownership scopes (from its registry); absent: the shipped kinds'. */
  scopes?: OwnershipScopes;
  /** Called as each read ends (done or failed), with the reads known so far: progress on a terminal. */
  onRead?: (done: number, total: number) => void;
  /** Called with each unit's live state as it is read (the plan compares it while the other reads go on). */
  onLive?: (unit: ResourceUnit, state: LiveState | undefined) => void;
}

export interface ReadResult {
  live: Map<string, LiveState | undefined>;
  /** The records read, by scope id (a project's key, `instance/NODE` for a node's instance record). */
  projects: Map<string, ProjectOwnership>;
}

export class ReadError extends DssGitopsError {
  constructor(failures: { address: string; error: unknown }[]) {
    const lines = failures.map((f) => `  ${f.address}: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
    super('READ_FAILED', `could not read ${failures.length} object(s):\n${lines.join('\n')}`, {
      fault: 'remote',
      cause: failures[0]?.error,
    });
  }
}

/** The metadata object in a `#metadata` unit's raw state: the object itself or wrapped as `{object}`. */
function metadataOf(raw: unknown): unknown {
  if (raw !== null && typeof raw === 'object' && 'object' in raw && !isMetadataObject(raw)) return (raw as { object: unknown }).object;
  return raw;
}

/**
 * Whether a project is known to be absent, as the kind of projects tells it from what the run reads anyway (the
 * project list): nothing of an absent project is read, it is all absent (a fresh apply read every block and
 * scenario of every project it creates, each a 404). The answer of each key is kept once told (the list is read
 * once per run), so that the other units of the project ask nothing: `known` gives it, or undefined while untold.
 */
function absentScopes(input: ReadInput): { known: (key: string) => boolean | undefined; ask: (key: string) => Promise<boolean> } {
  const kind = scopeKind(input);
  if (kind?.scopeExists === undefined) return { known: () => false, ask: () => Promise.resolve(false) };
  const exists = kind.scopeExists.bind(kind);
  const told = new Map<string, boolean>();
  return {
    known: (key) => told.get(key),
    ask: async (key) => {
      const absent = (await exists(input.contextFor(kind), key)) === false;
      told.set(key, absent);
      return absent;
    },
  };
}

/** The key of every project on the design node: the run's project list when the kind of projects shares it. */
function projectKeysOnNode(input: ReadInput): Promise<string[]> {
  const kind = scopeKind(input);
  if (kind?.scopeKeys === undefined) return listProjectKeys(input.designClient);
  return kind.scopeKeys(input.contextFor(kind));
}

/** The kind whose objects are projects; undefined in a registry without projects. */
function scopeKind(input: ReadInput): ResourceKind | undefined {
  try {
    return input.kindOf(PROJECT_SCOPE_KIND);
  } catch {
    return undefined;
  }
}

/** Whether the plan may refuse a unit of `kind` (the plan then fails, and writes nothing). */
export function mayRefuse(kind: ResourceKind | undefined): boolean {
  return kind?.validateChange !== undefined || kind?.validateCreate !== undefined;
}

/** One read of a run: what it reads, for the failures, and the read itself. */
interface Read {
  address: string;
  work: () => Promise<void>;
}

export async function readLive(input: ReadInput): Promise<ReadResult> {
  const live = new Map<string, LiveState | undefined>();
  const projects = new Map<string, ProjectOwnership>();
  const failures: { address: string; error: unknown }[] = [];

  const scopes = input.scopes ?? defaultScopes();
  const metadataUnits = new Map<string, ResourceUnit>();
  const projectKeys = new Set<string>();
  const instanceNodes = new Set<NodeName>();
  for (const unit of input.units) {
    const scope = scopes.scopeOf(unit);
    if (scope === undefined) continue;
    if (scope.store === 'instance') {
      instanceNodes.add(scope.node);
      continue;
    }
    const key = scope.key;
    projectKeys.add(key);
    if (unit.kind === PROJECT_SCOPE_KIND && unit.block === 'metadata') metadataUnits.set(key, unit);
  }
  const declaredNodes = new Set(instanceNodes);
  // Prune of platform objects that left the manifests: every node with instance-scoped kinds has its record read.
  if (input.discoverProjects) for (const node of scopes.instanceNodes()) instanceNodes.add(node);

  const absent = absentScopes(input);
  // The units the plan may refuse are read first: an apply takes its run lock while it plans only once none of them
  // is left (reconcile.ts).
  const refusable = (unit: ResourceUnit): boolean => mayRefuse(input.kindOf(unit.kind));
  const ordered = [...input.units.filter(refusable), ...input.units.filter((unit) => !refusable(unit))];
  const recordKeys = [...projectKeys].filter((key) => !metadataUnits.has(key));
  const nodes = [...instanceNodes].sort();

  const readUnit = (unit: ResourceUnit): Read => ({
    address: unit.address,
    work: async () => {
      const scope = scopes.scopeOf(unit);
      const kind = input.kindOf(unit.kind);
      const gone = scope?.store === 'project' && (absent.known(scope.key) ?? (await absent.ask(scope.key)));
      const state = gone ? undefined : await kind.read(input.contextFor(kind), unit);
      live.set(unit.address, state);
      input.onLive?.(unit, state);
    },
  });
  const readRecord = (key: string): Read => ({
    address: `${projectAddress(key)} (ownership record)`,
    work: async () => {
      const gone = absent.known(key) ?? (await absent.ask(key));
      projects.set(key, gone ? { key, exists: false, tags: [] } : await readOwnership(input.designClient, key));
    },
  });
  const readInstanceRecord = (node: NodeName): Read => {
    const ref = { store: 'instance', node } as const;
    const client = input.clients?.[node] ?? input.designClient;
    // Read for prune only (no platform object of the node in this run): a key that may not read it prunes none.
    const read = declaredNodes.has(node) ? readInstanceOwnership : readInstanceOwnershipForPrune;
    return {
      address: `${scopeAddressOf(ref)} (ownership record)`,
      work: async () => void projects.set(scopeId(ref), await read(client, node, scopes.instanceKinds(node))),
    };
  };
  // Projects the manifests no longer declare, found by the list (prune): their records are read after it, in the
  // same pool; the list's task only adds them, so that at parallelism 1 it does not wait for a slot it holds.
  const undeclared: string[] = [];
  const readUndeclaredRecord = (key: string): Read => ({
    address: `${projectAddress(key)} (ownership record)`,
    work: async () => void projects.set(key, await readOwnership(input.designClient, key)),
  });
  const readList: Read = {
    address: 'project list',
    work: async () => {
      const keys = await projectKeysOnNode(input);
      for (const k of keys) if (!projectKeys.has(k) && !input.declaredProjects.has(k)) undeclared.push(k);
      total += undeclared.length;
    },
  };

  // The reads in the order they start, each made only as it starts: the units, the records, the list, and then the
  // records the list found.
  const stages: Array<{ length: () => number; at: (i: number) => Read }> = [
    { length: () => ordered.length, at: (i) => readUnit(ordered[i] as ResourceUnit) },
    { length: () => recordKeys.length, at: (i) => readRecord(recordKeys[i] as string) },
    { length: () => nodes.length, at: (i) => readInstanceRecord(nodes[i] as NodeName) },
    { length: () => (input.discoverProjects ? 1 : 0), at: () => readList },
    { length: () => undeclared.length, at: (i) => readUndeclaredRecord(undeclared[i] as string) },
  ];
  let total = stages.reduce((sum, stage) => sum + stage.length(), 0);
  let done = 0;
  let stage = 0;
  let index = 0;
  const next = (): (() => Promise<void>) | undefined => {
    // The last stage grows while the list's task runs: it is never left.
    while (index >= (stages[stage] as (typeof stages)[number]).length() && stage < stages.length - 1) {
      stage++;
      index = 0;
    }
    const current = stages[stage] as (typeof stages)[number];
    if (index >= current.length()) return undefined;
    const read = current.at(index++);
    return async () => {
      try {
        await read.work();
      } catch (error) {
        failures.push({ address: read.address, error });
      }
      input.onRead?.(++done, total);
    };
  };
  await runPool(Math.max(1, input.parallelism) + Math.max(0, input.readsAhead ?? 0), next);
  if (failures.length > 0) throw new ReadError(failures.sort(byText((f) => f.address)));

  for (const [key, unit] of metadataUnits) {
    const state = live.get(unit.address);
    if (state === undefined) {
      projects.set(key, { key, exists: false, tags: [] });
    } else if (isMetadataObject(metadataOf(state.raw))) {
      projects.set(key, ownershipFromMetadata(key, metadataOf(state.raw) as Record<string, unknown>));
    } else {
      // The kind keeps something other than the bare metadata object: read the record on its own.
      projects.set(key, await readOwnership(input.designClient, key));
    }
  }
  return { live, projects };
}
