import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_GRANT_FLAGS } from '../../src/resources/grants.js';
import { projectKind } from '../../src/resources/project/kind.js';
import type { ResourceUnit } from '../../src/resources/types.js';
import {
  applyPlanned,
  converge,
  docOf,
  planUnits,
  startKindHarness,
  writesDuring,
  type KindHarness,
} from './kind-harness.js';

type Json = Record<string, unknown>;

let h: KindHarness;
beforeAll(async () => {
  h = await startKindHarness();
});
afterAll(() => h.close());

const projectDoc = (key: string, spec: Json, sensitivePaths: string[] = []) =>
  docOf('Project', key, spec, { sensitivePaths });

function fullSpec(): Json {
  return {
    name: 'Customer churn',
    folder: 'Analytics/Churn',
    owner: 'admin',
    description: 'Predicts churn every night.',
    shortDesc: 'Churn model',
    tags: ['ml', 'churn'],
    custom: { team: 'analytics' },
    variables: { standard: { threshold: 0.7, dbPassword: 's3cret' }, local: { debug: false } },
    permissions: [
      { group: 'analysts', readProjectContent: true, runScenarios: true },
      { user: 'jane', admin: true },
    ],
  };
}

const changedPaths = (units: { unit: ResourceUnit; changes: { kind: string; path: string }[] }[]) =>
  units.flatMap((p) => p.changes.map((c) => `${p.unit.address} ${c.kind} ${c.path}`)).sort();

async function folderPathOf(key: string): Promise<string> {
  const walk = async (id: string, path: string): Promise<string | undefined> => {
    const folder = await h.sim.ok<{ name: string | null; childrenIds: string[]; projectKeys: string[] }>(
      'GET',
      `/project-folders/${id}`,
    );
    const here = folder.name === null ? path : path === '' ? folder.name : `${path}/${folder.name}`;
    if (folder.projectKeys.includes(key)) return here;
    for (const child of folder.childrenIds) {
      const found = await walk(child, here);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return (await walk('ROOT', '')) ?? '(none)';
}

describe('Project', () => {
  it('splits a document into the project and one unit per declared block', () => {
    const units = projectKind.units(projectDoc('CHURN', fullSpec()));
    expect(units.map((u) => u.address)).toEqual([
      'Project/CHURN',
      'Project/CHURN#metadata',
      'Project/CHURN#variables',
      'Project/CHURN#permissions',
    ]);
    expect(projectKind.units(projectDoc('BARE', { name: 'Bare' })).map((u) => u.address)).toEqual(['Project/BARE']);
  });

  it('reads a missing project as absent, every block included', async () => {
    const ctx = h.run();
    for (const unit of projectKind.units(projectDoc('MISSING', fullSpec()))) {
      expect(await projectKind.read(ctx, unit)).toBeUndefined();
    }
  });

  it('creates the project in its folder with every block, then plans no change and writes nothing', async () => {
    expect(await converge(h, projectKind, [projectDoc('CHURN', fullSpec())])).toEqual([]);
    expect(await folderPathOf('CHURN')).toBe('Analytics/Churn');
    const metadata = await h.sim.ok<Json>('GET', '/projects/CHURN/metadata');
    expect(metadata).toMatchObject({ label: 'Customer churn', shortDesc: 'Churn model', custom: { kv: { team: 'analytics' } } });
    const permissions = await h.sim.ok<{ permissions: Json[] }>('GET', '/projects/CHURN/permissions');
    const analysts = permissions.permissions.find((g) => g.group === 'analysts');
    expect(Object.keys(analysts ?? {}).sort()).toEqual(['group', ...PROJECT_GRANT_FLAGS].sort());
    expect(await writesDuring(h.client, () => converge(h, projectKind, [projectDoc('CHURN', fullSpec())]))).toBe(0);
  });

  it('updates metadata: exact tags, merged custom, and keeps checklists and the ownership record', async () => {
    const live = await h.sim.ok<Json>('GET', '/projects/CHURN/metadata');
    await h.sim.ok('PUT', '/projects/CHURN/metadata', {
      ...live,
      tags: ['ml', 'churn', 'hand-made'],
      custom: { kv: { team: 'analytics', costCenter: '42', 'dss-gitops': { source: 'git' } } },
      checklists: { checklists: [{ title: 'Go live', items: [] }] },
    });
    const spec = { ...fullSpec(), description: 'Predicts churn hourly.', tags: ['ml', 'churn', 'prod'], custom: { team: 'data' } };
    const ctx = h.run();
    const planned = await planUnits(projectKind, ctx, projectKind.units(projectDoc('CHURN', spec)));
    // Tags are an exact set: `prod` is added, the hand-made tag removed; custom keys are merged, so
    // `costCenter` and the ownership record are neither reported nor dropped.
    expect(changedPaths(planned)).toEqual([
      'Project/CHURN#metadata add tags',
      'Project/CHURN#metadata modify custom.team',
      'Project/CHURN#metadata modify description',
      'Project/CHURN#metadata remove tags',
    ]);
    await applyPlanned(projectKind, ctx, planned);

    const after = await h.sim.ok<Json>('GET', '/projects/CHURN/metadata');
    expect([...(after.tags as string[])].sort()).toEqual(['churn', 'ml', 'prod']);
    expect(after.custom).toEqual({ kv: { team: 'data', costCenter: '42', 'dss-gitops': { source: 'git' } } });
    expect(after.checklists).toEqual({ checklists: [{ title: 'Go live', items: [] }] });
    expect(await converge(h, projectKind, [projectDoc('CHURN', spec)])).toEqual([]);
  });

  it('renames and changes metadata in one apply without either write undoing the other', async () => {
    const spec = { ...fullSpec(), name: 'Churn (v2)', shortDesc: 'Churn model v2' };
    expect(await converge(h, projectKind, [projectDoc('CHURN', spec)])).toEqual([]);
    const metadata = await h.sim.ok<Json>('GET', '/projects/CHURN/metadata');
    expect(metadata).toMatchObject({ label: 'Churn (v2)', shortDesc: 'Churn model v2' });
    const list = await h.sim.ok<Json[]>('GET', '/projects/');
    expect(list.find((p) => p.projectKey === 'CHURN')?.name).toBe('Churn (v2)');
  });

  it('keeps variables exact per declared scope and marks secrets sensitive', async () => {
    await h.sim.ok('PUT', '/projects/CHURN/variables/', {
      standard: { threshold: 0.7, dbPassword: 'old', addedByHand: 1 },
      local: { debug: false, scratch: true },
      lastModifiedBy: 'jane',
    });
    const spec = { ...fullSpec(), variables: { standard: { threshold: 0.8, dbPassword: 'n3w' } } };
    const doc = projectDoc('CHURN', spec, ['/spec/variables/standard/dbPassword']);
    const ctx = h.run();
    const planned = await planUnits(projectKind, ctx, projectKind.units(doc));
    const variables = planned.find((p) => p.unit.block === 'variables')!;
    expect(variables.changes.map((c) => `${c.kind} ${c.path} ${c.sensitive}`).sort()).toEqual([
      'modify standard.dbPassword true',
      'modify standard.threshold false',
      'remove standard.addedByHand false',
    ].sort());
    expect(JSON.stringify(variables.changes)).not.toContain('n3w');
    await applyPlanned(projectKind, ctx, planned);
    // `local` is not declared: it is not managed, so hand-made local variables stay.
    expect(await h.sim.ok('GET', '/projects/CHURN/variables/')).toEqual({
      standard: { threshold: 0.8, dbPassword: 'n3w' },
      local: { debug: false, scratch: true },
      lastModifiedBy: 'jane',
    });
    expect(await converge(h, projectKind, [doc])).toEqual([]);
  });

  it('keeps grants exact: undeclared grants go, undeclared flags are false, other fields stay', async () => {
    const live = await h.sim.ok<Json>('GET', '/projects/CHURN/permissions');
    await h.sim.ok('PUT', '/projects/CHURN/permissions', {
      ...live,
      permissions: [
        ...(live.permissions as Json[]).map((g) => (g.group === 'analysts' ? { ...g, writeProjectContent: true } : g)),
        { group: 'interns', readProjectContent: true },
      ],
    });
    const spec = { ...fullSpec(), owner: 'jane' };
    const ctx = h.run();
    const units = projectKind.units(projectDoc('CHURN', spec)).filter((u) => u.block === 'permissions');
    const planned = await planUnits(projectKind, ctx, units);
    expect(changedPaths(planned)).toEqual([
      'Project/CHURN#permissions modify owner',
      'Project/CHURN#permissions modify permissions[group=analysts].writeProjectContent',
      'Project/CHURN#permissions remove permissions[group=interns]',
    ]);
    await applyPlanned(projectKind, ctx, planned);
    const after = await h.sim.ok<Json>('GET', '/projects/CHURN/permissions');
    expect(after.owner).toBe('jane');
    expect((after.permissions as Json[]).map((g) => g.group ?? g.user).sort()).toEqual(['analysts', 'jane']);
    expect(after.additionalDashboardUsers).toEqual(live.additionalDashboardUsers);
    expect(await converge(h, projectKind, [projectDoc('CHURN', spec)])).toEqual([]);
    expect(await writesDuring(h.client, () => converge(h, projectKind, [projectDoc('CHURN', spec)]))).toBe(0);
  });

  it("creates a project with its manifest's owner, else the configured default owner", async () => {
    const ownerOf = async (key: string) => (await h.sim.ok<Json>('GET', `/projects/${key}/permissions`)).owner;
    const ctx = { ...h.run(), defaults: { projectOwner: 'jane' } };
    await projectKind.create(ctx, projectKind.units(projectDoc('DEFAULTED', { name: 'Defaulted' }))[0]!);
    await projectKind.create(ctx, projectKind.units(projectDoc('DECLARED', { name: 'Declared', owner: 'bob' }))[0]!);
    expect(await ownerOf('DEFAULTED')).toBe('jane');
    expect(await ownerOf('DECLARED')).toBe('bob');
  });

  it('refuses to create a project with no owner at plan time, and sends nothing if asked to write it anyway', async () => {
    const [main, variables] = projectKind.units(projectDoc('ORPHAN', { name: 'Orphan', variables: { standard: { a: 1 } } }));
    expect(projectKind.validateCreate!(main!, {})).toEqual([
      'Project/ORPHAN must be created but has no owner: set spec.owner or defaults.projectOwner in dss-gitops.yaml',
    ]);
    expect(projectKind.validateCreate!(main!, { projectOwner: 'jane' })).toEqual([]);
    // A block is written into the project once it exists: only the project's creation needs the owner.
    expect(projectKind.validateCreate!(variables!, {})).toEqual([]);
    const writes = await writesDuring(h.client, () =>
      expect(projectKind.create(h.run(), main!)).rejects.toThrow(/Project\/ORPHAN must be created but has no owner/),
    );
    expect(writes).toBe(0);
    expect((await h.sim.call('GET', '/projects/ORPHAN/metadata')).status).toBe(404);
  });

  it('moves a project into its declared folder, creating the folder', async () => {
    expect(await converge(h, projectKind, [projectDoc('LEDGER', { name: 'Ledger', owner: 'admin' })])).toEqual([]);
    expect(await folderPathOf('LEDGER')).toBe('');
    const doc = projectDoc('LEDGER', { name: 'Ledger', owner: 'admin', folder: 'Finance/Reporting' });
    const planned = await planUnits(projectKind, h.run(), projectKind.units(doc));
    expect(planned[0]!.changes).toMatchObject([{ kind: 'modify', path: 'folder', before: '', after: 'Finance/Reporting' }]);
    expect(await converge(h, projectKind, [doc])).toEqual([]);
    expect(await folderPathOf('LEDGER')).toBe('Finance/Reporting');
  });

  it('creates an undeclared folder once when projects placed in it are created concurrently', async () => {
    const ctx = { ...h.run(), defaults: { projectOwner: 'admin' } };
    const mains = ['TEAM_A', 'TEAM_B', 'TEAM_C'].map((key) => projectKind.units(projectDoc(key, { folder: 'Teams/Shared' }))[0]!);
    await Promise.all(mains.map((unit) => projectKind.create(ctx, unit)));
    const root = await h.sim.ok<{ childrenIds: string[] }>('GET', '/project-folders/ROOT');
    const names = await Promise.all(root.childrenIds.map((id) => h.sim.ok<{ name: string }>('GET', `/project-folders/${id}`)));
    expect(names.filter((f) => f.name === 'Teams')).toHaveLength(1);
    for (const key of ['TEAM_A', 'TEAM_B', 'TEAM_C']) expect(await folderPathOf(key)).toBe('Teams/Shared');
  });

  it('deletes the project on prune, and leaves a block address alone', async () => {
    await projectKind.delete!(h.run(), 'Project/LEDGER#variables');
    expect((await h.sim.call('GET', '/projects/LEDGER/variables/')).status).toBe(200);
    await projectKind.delete!(h.run(), 'Project/LEDGER');
    expect((await h.sim.call('GET', '/projects/LEDGER/metadata')).status).toBe(404);
  });
});
