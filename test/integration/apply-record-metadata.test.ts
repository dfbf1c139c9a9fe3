// The ownership record of a project is kept in the project's metadata, which its `#metadata` unit writes too: the
// record's write carries the block's change, one GET-modify-PUT for both, made once every other object of the project
// was written (or failed, or was skipped), while the other projects' objects are still being written. A fresh apply
// reads each project's metadata once (right before that PUT: the plan knows from the project list that the project
// does not exist) and writes it once.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DssClient } from '../../src/dss/types.js';
import type { ManifestSet } from '../../src/manifest/types.js';
import { contextFactory, planRun, applyRun, type RunSetup } from '../../src/reconciler/reconcile.js';
import type { Logger } from '../../src/base/logger.js';
import { exampleRunSetup, loadExample, startKindHarness, type KindHarness } from './kind-harness.js';

type Json = Record<string, unknown>;

const PROJECTS = ['CHURN', 'FINANCE_REPORTING', 'MARKETING_ATTRIBUTION'];
const METADATA = '/projects/:projectKey/metadata';

let h: KindHarness;
let set: ManifestSet;
/** The PUTs the run's client completed, in order, and whether each carried an ownership record. */
let puts: { path: string; record: boolean }[];
let client: DssClient;

beforeEach(async () => {
  h = await startKindHarness();
  set = loadExample();
  puts = [];
  client = new Proxy(h.client, {
    get(target, property) {
      if (property === 'putJson') {
        return async (path: string, body: unknown, options?: object) => {
          const answer = await target.putJson(path, body, options);
          const kv = ((body as { custom?: { kv?: Json } }).custom?.kv ?? {}) as Json;
          puts.push({ path, record: 'dss-gitops' in kv });
          return answer;
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
});
afterEach(() => h.close());

const silent = (): void => {};

function setup(log: Logger): RunSetup {
  return exampleRunSetup(client, set, { log, parallelism: 4 });
}

async function planAndApply(log: Logger = quiet): Promise<{ failed: number; results: { address: string; status: string }[] }> {
  const s = setup(log);
  const contextFor = contextFactory(s);
  const planned = await planRun(s, set.documents, contextFor);
  const report = await applyRun(s, planned, contextFor);
  return { failed: report.failed, results: report.results.map((r) => ({ address: r.address, status: r.status })) };
}

const quiet: Logger = { debug: silent, info: silent, warn: silent, error: silent };

async function recordOf(key: string): Promise<{ metadata: Json; inventory: Json | undefined }> {
  const metadata = await h.sim.ok<Json>('GET', `/projects/${key}/metadata`);
  const record = (metadata.custom as { kv: Json }).kv['dss-gitops'] as { inventory: Json } | undefined;
  return { metadata, inventory: record?.inventory };
}

/** The addresses of `key`'s objects the report says were applied. */
function appliedIn(report: { results: { address: string; status: string }[] }, key: string): string[] {
  return report.results.filter((r) => r.status === 'applied' && r.address.includes(`/${key}`)).map((r) => r.address).sort();
}

describe('the record of a project the apply creates', () => {
  it('is written by the PUT of the metadata block: each project metadata read once and written once', async () => {
    h.sim.reset({ stats: true, state: false });
    const report = await planAndApply();
    expect(report.failed).toBe(0);

    const routes = h.sim.stats().byRoute;
    expect(routes[`GET ${METADATA}`]).toBe(PROJECTS.length);
    expect(routes[`PUT ${METADATA}`]).toBe(PROJECTS.length);
    expect(puts.filter((p) => p.path.endsWith('/metadata')).every((p) => p.record)).toBe(true);
    for (const key of PROJECTS) {
      const { metadata, inventory } = await recordOf(key);
      // Everything the apply wrote into the project is listed, and the block's fields and DSS's own stay.
      expect(Object.keys(inventory ?? {}).sort()).toEqual(appliedIn(report, key));
      expect(metadata.description).toEqual(expect.any(String));
      expect(metadata.description).not.toBe('');
      expect(metadata.creationTag).toBeDefined();
      // The record's PUT follows every other write into the project.
      const last = puts.map((p) => p.path).filter((p) => p.startsWith(`/projects/${key}/`)).at(-1);
      expect(last).toBe(`/projects/${key}/metadata`);
    }

    // The next plan finds nothing to change: the record is whole and the block in sync.
    const s = setup(quiet);
    expect((await planRun(s, set.documents)).plan.report.resourceChanges).toEqual([]);
  });

  it('reads the metadata again and writes both when DSS refuses that save as concurrent', async () => {
    h.sim.addFault({ kind: 'status', status: 409, method: 'PUT', path: '/projects/CHURN/metadata', times: 1 });
    h.sim.reset({ stats: true, state: false });
    const report = await planAndApply();
    expect(report.failed).toBe(0);
    expect(h.sim.stats().faults).toEqual({ 'status 409': 1 });
    expect(h.sim.stats().byRoute[`GET ${METADATA}`]).toBe(PROJECTS.length + 1);
    const { metadata, inventory } = await recordOf('CHURN');
    expect(Object.keys(inventory ?? {}).sort()).toEqual(appliedIn(report, 'CHURN'));
    expect(Object.keys(inventory ?? {})).toContain('Project/CHURN#metadata');
    expect(metadata.shortDesc).toBe('Nightly churn scores for the retention team');
  });

  it('is written on its own, without the block, when the block cannot be written with it', async () => {
    // DSS refuses the block's PUT once: neither the block nor the record was written by it, and the record is then
    // written alone, claiming every object of the project but the block.
    h.sim.addFault({ kind: 'status', status: 400, method: 'PUT', path: '/projects/CHURN/metadata', times: 1 });
    const report = await planAndApply();
    expect(report.results.filter((r) => r.status !== 'applied')).toEqual([{ address: 'Project/CHURN#metadata', status: 'failed' }]);
    const { metadata, inventory } = await recordOf('CHURN');
    expect(Object.keys(inventory ?? {}).sort()).toEqual(appliedIn(report, 'CHURN'));
    expect(Object.keys(inventory ?? {})).not.toContain('Project/CHURN#metadata');
    expect(metadata.shortDesc).toBe('');

    // The next apply writes the block, and the record with it.
    const again = await planAndApply();
    expect(again.results.filter((r) => r.status === 'applied')).toEqual([{ address: 'Project/CHURN#metadata', status: 'applied' }]);
    expect(Object.keys((await recordOf('CHURN')).inventory ?? {})).toContain('Project/CHURN#metadata');
  });

  it('reports both the block and the record failed when neither can be written', async () => {
    h.sim.addFault({ kind: 'status', status: 400, method: 'PUT', path: '/projects/CHURN/metadata' });
    const report = await planAndApply();
    expect(report.results.filter((r) => r.status !== 'applied')).toEqual([
      { address: 'Project/CHURN#metadata', status: 'failed' },
      { address: 'Project/CHURN#ownership', status: 'failed' },
    ]);
    expect(report.failed).toBe(2);
    expect((await recordOf('CHURN')).inventory).toBeUndefined();
    expect(Object.keys((await recordOf('FINANCE_REPORTING')).inventory ?? {}).sort()).toEqual(appliedIn(report, 'FINANCE_REPORTING'));
  });

  it('claims what was written when an object of the project failed', async () => {
    h.sim.addFault({ kind: 'status', status: 400, method: 'POST', path: '/projects/CHURN/scenarios', times: 1 });
    h.sim.reset({ stats: true, state: false });
    const report = await planAndApply();
    const failed = report.results.filter((r) => r.status !== 'applied');
    expect(failed).toEqual([{ address: expect.stringMatching(/^Scenario\/CHURN\//), status: 'failed' }]);
    const { metadata, inventory } = await recordOf('CHURN');
    expect(Object.keys(inventory ?? {}).sort()).toEqual(appliedIn(report, 'CHURN'));
    expect(Object.keys(inventory ?? {})).not.toContain(failed[0]?.address);
    expect(metadata.shortDesc).toBe('Nightly churn scores for the retention team');
    expect(h.sim.stats().byRoute[`PUT ${METADATA}`]).toBe(PROJECTS.length);
  });

  it('is written as soon as its project is, while another project is still being written', async () => {
    // MARKETING_ATTRIBUTION's permissions are throttled for a second: CHURN's record does not wait for them.
    h.sim.addFault({ kind: 'throttle', retryAfterSeconds: 1, method: 'PUT', path: '/projects/MARKETING_ATTRIBUTION/permissions', times: 1 });
    const report = await planAndApply();
    expect(report.failed).toBe(0);
    const order = puts.map((p) => `${p.path}${p.record ? ' (record)' : ''}`);
    expect(order.indexOf('/projects/CHURN/metadata (record)')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('/projects/CHURN/metadata (record)')).toBeLessThan(order.indexOf('/projects/MARKETING_ATTRIBUTION/permissions'));
    expect(order.at(-1)).toBe('/projects/MARKETING_ATTRIBUTION/metadata (record)');
  });
});
