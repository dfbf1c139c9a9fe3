// Test support for the design-node kinds: manifest documents built in code, a run context over a real client
// against the simulator, and the plan → write → re-plan loop the reconciler runs, one kind at a time.

import { diffManaged } from '../../src/diff/index.js';
import type { FieldChange } from '../../src/diff/types.js';
import { createDssClient } from '../../src/dss/client.js';
import type { DssClient } from '../../src/dss/types.js';
import type { ManifestDocument } from '../../src/manifest/types.js';
import type { Logger } from '../../src/base/logger.js';
import type { KindContext, LiveState, ResourceKind, ResourceUnit } from '../../src/resources/types.js';
import { loadManifestSet } from '../../src/input/load.js';
import { isError, type ManifestSet } from '../../src/manifest/types.js';
import type { RunSetup } from '../../src/reconciler/reconcile.js';
import { kindRegistry } from '../../src/resources/registry.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

export { docOf } from '../unit/kind-docs.js';

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export interface KindHarness {
  sim: TestSimulator;
  client: DssClient;
  /** A fresh context, as one run of the reconciler would get. */
  run(): KindContext;
  close(): Promise<void>;
}

export async function startKindHarness(): Promise<KindHarness> {
  const sim = await startTestSimulator();
  const client = createDssClient({ url: sim.url, apiKey: sim.adminKey }, { nodeName: 'design' });
  return {
    sim,
    client,
    run: () => ({ client, clients: { design: client, deployer: client }, log: quiet, runCache: new Map() }),
    close: async () => {
      await client.close();
      await sim.close();
    },
  };
}

export interface PlannedUnit {
  unit: ResourceUnit;
  live: LiveState | undefined;
  changes: FieldChange[];
}

/** Reads every unit concurrently and diffs it, as the plan step does. */
export async function planUnits(kind: ResourceKind, ctx: KindContext, units: ResourceUnit[]): Promise<PlannedUnit[]> {
  return Promise.all(
    units.map(async (unit) => {
      const live = await kind.read(ctx, unit);
      return { unit, live, changes: diffManaged(unit.desired, live?.view, unit.policy) };
    }),
  );
}

/** Writes what the plan found different, in unit order (a project's main unit comes before its blocks). */
export async function applyPlanned(kind: ResourceKind, ctx: KindContext, planned: PlannedUnit[]): Promise<void> {
  for (const { unit, live, changes } of planned) {
    if (live === undefined) await kind.create(ctx, unit);
    else if (changes.length > 0) await kind.update(ctx, unit, live);
  }
}

/** Plan, apply, and the changes a second plan in a new run still finds (none when the kind converges). */
export async function converge(h: KindHarness, kind: ResourceKind, docs: ManifestDocument[]): Promise<PlannedUnit[]> {
  const units = docs.flatMap((doc) => kind.units(doc));
  const ctx = h.run();
  await applyPlanned(kind, ctx, await planUnits(kind, ctx, units));
  return (await planUnits(kind, h.run(), units)).filter((p) => p.changes.length > 0 || p.live === undefined);
}

/** Writes (POST, PUT, DELETE) the client sends while `work` runs. */
export async function writesDuring(client: DssClient, work: () => Promise<unknown>): Promise<number> {
  const before = client.stats().writes;
  await work();
  return client.stats().writes - before;
}

export async function readsDuring(client: DssClient, work: () => Promise<unknown>): Promise<number> {
  const before = client.stats().reads;
  await work();
  return client.stats().reads - before;
}

/** manifests-example as a run loads it; it has no error. */
export function loadExample(): ManifestSet {
  const set = loadManifestSet({ paths: ['manifests-example'], vars: [], varFiles: [], env: { WAREHOUSE_PASSWORD: 'example-only' }, cwd: process.cwd() });
  const errors = set.problems.filter(isError);
  if (errors.length > 0) throw new Error(`manifests-example does not load: ${JSON.stringify(errors)}`);
  return set;
}

/** The setup of a run of manifests-example through `client` (the same client for both nodes), without prune. */
export function exampleRunSetup(client: DssClient, set: ManifestSet, options: { log?: Logger; parallelism: number }): RunSetup {
  return {
    registry: kindRegistry(),
    clients: { design: client, deployer: client },
    log: options.log ?? quiet,
    parallelism: options.parallelism,
    compare: (desired, live, policy, compareOptions) => diffManaged(desired, live, policy, compareOptions),
    source: 'manifests-example',
    options: { prune: false, allowEmpty: false, targets: [], ignoreDifferences: set.config.ignoreDifferences },
  };
}
