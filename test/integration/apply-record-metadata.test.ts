// The ownership record of a project an apply creates is laid over the metadata its `#metadata` unit wrote, not over a
// second read of it: a fresh apply reads each project's metadata once (the block's GET-modify-PUT; the plan knows
// from the project list that the project does not exist) and writes it twice (the block, then the record once every
// object of the project was written).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/index.js';
import { loadManifestSet } from '../../src/input/load.js';
import { isError, type ManifestSet } from '../../src/manifest/types.js';
import { contextFactory, planRun, applyRun, type RunSetup } from '../../src/reconciler/reconcile.js';
import { kindRegistry } from '../../src/resources/registry.js';
import type { Logger } from '../../src/base/logger.js';
import { startKindHarness, type KindHarness } from './kind-harness.js';

type Json = Record<string, unknown>;

const PROJECTS = ['CHURN', 'FINANCE_REPORTING', 'MARKETING_ATTRIBUTION'];
const METADATA = '/projects/:projectKey/metadata';

let h: KindHarness;
let set: ManifestSet;

beforeEach(async () => {
  h = await startKindHarness();
  set = loadManifestSet({
    paths: ['manifests-example'],
    vars: [],
    varFiles: [],
    env: { WAREHOUSE_PASSWORD: 'example-only' },
    cwd: process.cwd(),
  });
  expect(set.problems.filter(isError)).toEqual([]);
});
afterEach(() => h.close());

const silent = (): void => {};

function setup(log: Logger): RunSetup {
  return {
    registry: kindRegistry(),
    clients: { design: h.client, deployer: h.client },
    log,
    parallelism: 4,
    compare: (desired, live, policy, options) => diffManaged(desired, live, policy, options),
    source: 'manifests-example',
    options: { prune: false, allowEmpty: false, targets: [], ignoreDifferences: set.config.ignoreDifferences },
  };
}

async function planAndApply(log: Logger): Promise<{ failed: number; results: { address: string; status: string }[] }> {
  const s = setup(log);
  const contextFor = contextFactory(s);
  const planned = await planRun(s, set.documents, contextFor);
  const report = await applyRun(s, planned, contextFor);
  return { failed: report.failed, results: report.results.map((r) => ({ address: r.address, status: r.status })) };
}

const quiet: Logger = { debug: silent, info: silent, warn: silent, error: silent };

async function recordOf(key: string): Promise<{ metadata: Json; inventory: Json }> {
  const metadata = await h.sim.ok<Json>('GET', `/projects/${key}/metadata`);
  const record = (metadata.custom as { kv: Json }).kv['dss-gitops'] as { inventory: Json };
  return { metadata, inventory: record.inventory };
}

describe('the record of a project the apply creates', () => {
  it('is written over the metadata the block wrote: each project metadata read once and written twice', async () => {
    h.sim.reset({ stats: true, state: false });
    const report = await planAndApply(quiet);
    expect(report.failed).toBe(0);

    const routes = h.sim.stats().byRoute;
    expect(routes[`GET ${METADATA}`]).toBe(PROJECTS.length);
    expect(routes[`PUT ${METADATA}`]).toBe(2 * PROJECTS.length);
    for (const key of PROJECTS) {
      const { metadata, inventory } = await recordOf(key);
      // Everything the apply wrote into the project is listed, and the block's fields and DSS's own stay.
      const applied = report.results.filter((r) => r.status === 'applied' && r.address.includes(key)).map((r) => r.address);
      expect(Object.keys(inventory).sort()).toEqual(applied.sort());
      expect(metadata.description).toEqual(expect.any(String));
      expect(metadata.description).not.toBe('');
      expect(metadata.creationTag).toBeDefined();
    }

    // The next plan finds nothing to change: the record is whole and the block in sync.
    const s = setup(quiet);
    expect((await planRun(s, set.documents)).plan.report.resourceChanges).toEqual([]);
  });

  it('reads the metadata again and writes the record when DSS refuses that save as concurrent', async () => {
    // The next PUT of CHURN's metadata after its block was applied is the record's: DSS refuses it once.
    const log: Logger = {
      ...quiet,
      info: (fields: unknown) => {
        if ((fields as { address?: string }).address === 'Project/CHURN#metadata') {
          h.sim.addFault({ kind: 'status', status: 409, method: 'PUT', path: '/projects/CHURN/metadata', times: 1 });
        }
      },
    };
    h.sim.reset({ stats: true, state: false });
    const report = await planAndApply(log);
    expect(report.failed).toBe(0);
    expect(h.sim.stats().faults).toEqual({ 'status 409': 1 });
    expect(h.sim.stats().byRoute[`GET ${METADATA}`]).toBe(PROJECTS.length + 1);
    const { inventory } = await recordOf('CHURN');
    expect(Object.keys(inventory)).toContain('Project/CHURN#metadata');
  });

});
