// The three design-node kinds driven by the reconciler over the example repository: what the kinds promise the
// reconciler (ordering through orderAfter, the ownership record kept through metadata writes, ignoreDifferences
// on a block, no second read of the folder tree) holds end to end.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManifestSet } from '../../src/manifest/types.js';
import { contextFactory, planRun, applyRun, type RunSetup } from '../../src/reconciler/reconcile.js';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { docOf, exampleRunSetup, loadExample, readsDuring, startKindHarness, writesDuring, type KindHarness } from './kind-harness.js';

type Json = Record<string, unknown>;


let h: KindHarness;
let set: ManifestSet;

beforeAll(async () => {
  h = await startKindHarness();
  set = loadExample();
});
afterAll(() => h.close());

function setup(): RunSetup {
  return exampleRunSetup(h.client, set, { parallelism: 8 });
}

/** Plan and apply with one context factory, as one CLI run does. */
async function planAndApply(): Promise<{ summary: Json; failed: number }> {
  const s = setup();
  const contextFor = contextFactory(s);
  const planned = await planRun(s, set.documents, contextFor);
  const report = await applyRun(s, planned, contextFor);
  return { summary: { ...planned.plan.report.summary }, failed: report.failed };
}

describe('the example through the reconciler', () => {
  it('creates everything in one apply, then plans no change and writes nothing', async () => {
    const first = await planAndApply();
    expect(first).toEqual({ summary: { add: 20, change: 0, destroy: 0 }, failed: 0 });

    const s = setup();
    const again = await planRun(s, set.documents);
    expect(again.plan.report.resourceChanges).toEqual([]);
    expect(await writesDuring(h.client, () => applyRun(s, again))).toBe(0);
  });

  it('keeps the ownership record through a metadata update, and ignores the variable the config ignores', async () => {
    const before = await h.sim.ok<Json>('GET', '/projects/CHURN/metadata');
    const record = (before.custom as { kv: Json }).kv['dss-gitops'];
    expect(record).toBeDefined();

    // A user edits the description in the UI; a recipe writes the variable that the config ignores.
    await h.sim.ok('PUT', '/projects/CHURN/metadata', { ...before, description: 'edited by hand' });
    const variables = await h.sim.ok<{ standard: Json; local: Json }>('GET', '/projects/CHURN/variables/');
    await h.sim.ok('PUT', '/projects/CHURN/variables/', {
      ...variables,
      standard: { ...variables.standard, lastRefreshDate: '2026-11-27' },
    });

    const s = setup();
    const planned = await planRun(s, set.documents);
    expect(planned.plan.report.resourceChanges.map((c) => `${c.address} ${c.changes.map((f) => f.path).join(',')}`)).toEqual([
      'Project/CHURN#metadata description',
    ]);
    await applyRun(s, planned);

    const after = await h.sim.ok<Json>('GET', '/projects/CHURN/metadata');
    expect(after.description).toMatch(/^Scores every active customer/);
    expect((after.custom as { kv: Json }).kv['dss-gitops']).toEqual(record);
    const vars = await h.sim.ok<{ standard: Json }>('GET', '/projects/CHURN/variables/');
    expect(vars.standard.lastRefreshDate).toBe('2026-11-27');
  });

  it('moves a project back into its folder, reusing the plan\'s folder tree in the apply', async () => {
    const root = await h.sim.ok<{ id: string }>('GET', '/project-folders/ROOT');
    const finance = await findFolderOf('FINANCE_REPORTING');
    await h.sim.ok('POST', `/project-folders/${finance}/projects/FINANCE_REPORTING/move?destination=${root.id}`);

    const s = setup();
    const contextFor = contextFactory(s);
    const planned = await planRun(s, set.documents, contextFor);
    expect(planned.plan.report.resourceChanges.map((c) => c.address)).toEqual(['Project/FINANCE_REPORTING']);
    // The move needs the folder ids: the apply finds them in the tree the plan walked, and reads nothing.
    expect(await readsDuring(h.client, () => applyRun(s, planned, contextFor))).toBe(0);
    expect(await findFolderOf('FINANCE_REPORTING')).toBe(finance);
  });
});

describe('the owner of a project to create', () => {
  const bare = () => [docOf('Project', 'NO_OWNER', { name: 'No owner', variables: { standard: { a: 1 } } })];

  it('stops the plan, before any write, when neither the manifest nor defaults.projectOwner names one', async () => {
    const s = setup();
    const writes = await writesDuring(h.client, () =>
      expect(planRun(s, bare())).rejects.toMatchObject({
        code: 'PLAN_REFUSED',
        message: expect.stringContaining(
          'Project/NO_OWNER must be created but has no owner: set spec.owner or defaults.projectOwner in dss-gitops.yaml',
        ) as unknown,
      }),
    );
    expect(writes).toBe(0);
    expect((await h.sim.call('GET', '/projects/NO_OWNER/metadata')).status).toBe(404);
  });

  it('creates it with defaults.projectOwner, then plans no change', async () => {
    const s: RunSetup = { ...setup(), defaults: { projectOwner: 'jane' } };
    const contextFor = contextFactory(s);
    const planned = await planRun(s, bare(), contextFor);
    expect(planned.plan.report.summary).toEqual({ add: 2, change: 0, destroy: 0 });
    expect((await applyRun(s, planned, contextFor)).failed).toBe(0);
    expect((await h.sim.ok<Json>('GET', '/projects/NO_OWNER/permissions')).owner).toBe('jane');
    expect((await planRun(s, bare())).plan.report.summary).toEqual({ add: 0, change: 0, destroy: 0 });
  });
});

describe('defaults.projectOwner through the CLI', () => {
  async function cli(dir: string, argv: string[]): Promise<CliResult> {
    const env = { DSS_URL: h.sim.url, DSS_API_KEY: h.sim.adminKey };
    return runCliCaptured(argv, { env, cwd: dir });
  }

  function repository(config: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'kind-reconcile-owner-'));
    writeFileSync(path.join(dir, 'dss-gitops.yaml'), config);
    const project = 'apiVersion: dss-gitops/v1\nkind: Project\nmetadata:\n  name: CLI_OWNED\nspec:\n  name: Owned by default\n';
    writeFileSync(path.join(dir, 'project.yaml'), project);
    return dir;
  }

  it('refuses the plan without one, and applies with the owner dss-gitops.yaml sets', async () => {
    const without = await cli(repository('prune: false\n'), ['plan', '-f', '.']);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain(
      'Project/CLI_OWNED must be created but has no owner: set spec.owner or defaults.projectOwner in dss-gitops.yaml',
    );
    expect((await h.sim.call('GET', '/projects/CLI_OWNED/metadata')).status).toBe(404);

    const applied = await cli(repository('defaults:\n  projectOwner: jane\n'), ['apply', '-f', '.', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await h.sim.ok<Json>('GET', '/projects/CLI_OWNED/permissions')).owner).toBe('jane');
  });
});

async function findFolderOf(key: string): Promise<string | undefined> {
  const queue = ['ROOT'];
  while (queue.length > 0) {
    const folder = await h.sim.ok<{ id: string; childrenIds: string[]; projectKeys: string[] }>('GET', `/project-folders/${queue.shift()!}`);
    if (folder.projectKeys.includes(key)) return folder.id;
    queue.push(...folder.childrenIds);
  }
  return undefined;
}
