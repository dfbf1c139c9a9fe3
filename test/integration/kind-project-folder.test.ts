import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectFolderKind } from '../../src/resources/project-folder/kind.js';
import {
  applyPlanned,
  converge,
  docOf,
  planUnits,
  readsDuring,
  startKindHarness,
  writesDuring,
  type KindHarness,
} from './kind-harness.js';

interface Folder {
  id: string;
  name: string | null;
  childrenIds: string[];
  projectKeys: string[];
}

let h: KindHarness;
beforeAll(async () => {
  h = await startKindHarness();
});
afterAll(() => h.close());

const folderDoc = (path: string, spec: Record<string, unknown> = {}) => docOf('ProjectFolder', path, spec);

async function childrenOf(id: string): Promise<Folder[]> {
  const folder = await h.sim.ok<Folder>('GET', `/project-folders/${id}`);
  return Promise.all(folder.childrenIds.map((child) => h.sim.ok<Folder>('GET', `/project-folders/${child}`)));
}

async function folderAt(path: string): Promise<Folder> {
  let current = await h.sim.ok<Folder>('GET', '/project-folders/ROOT');
  for (const name of path.split('/')) {
    const next = (await childrenOf(current.id)).filter((c) => c.name === name);
    expect(next).toHaveLength(1);
    current = next[0] as Folder;
  }
  return current;
}

describe('ProjectFolder', () => {
  it('reads a missing path as absent', async () => {
    const [unit] = projectFolderKind.units(folderDoc('Nowhere/Deep'));
    expect(await projectFolderKind.read(h.run(), unit!)).toBeUndefined();
  });

  it('creates every missing segment of its path, then plans no change', async () => {
    const left = await converge(h, projectFolderKind, [folderDoc('Analytics/Churn', { owner: 'admin' })]);
    expect(left).toEqual([]);
    const churn = await folderAt('Analytics/Churn');
    expect(churn.name).toBe('Churn');
  });

  it('creates a shared parent once when siblings are created concurrently', async () => {
    const ctx = h.run();
    const units = ['Shared/A', 'Shared/B', 'Shared/C'].flatMap((p) => projectFolderKind.units(folderDoc(p)));
    await Promise.all(units.map((unit) => projectFolderKind.create(ctx, unit)));
    const root = await h.sim.ok<Folder>('GET', '/project-folders/ROOT');
    const shared = (await childrenOf(root.id)).filter((c) => c.name === 'Shared');
    expect(shared).toHaveLength(1);
    expect((await childrenOf(shared[0]!.id)).map((c) => c.name).sort()).toEqual(['A', 'B', 'C']);
  });

  it('walks the folder tree once per run however many folders it reads', async () => {
    const docs = [folderDoc('Tree/One', { owner: 'admin' }), folderDoc('Tree/Two'), folderDoc('Tree/Three')];
    await converge(h, projectFolderKind, docs);
    const units = docs.flatMap((d) => projectFolderKind.units(d));
    const ctx = h.run();
    const reads = await readsDuring(h.client, () => Promise.all(units.map((u) => projectFolderKind.read(ctx, u))));
    // One GET per folder in DSS (the walk), plus the settings of the one folder whose settings are managed:
    // a folder that only has to exist costs no read of its own.
    expect(reads).toBe((await countFolders()) + 1);
  });

  it('manages owner and exact group grants, keeping settings it does not manage', async () => {
    await converge(h, projectFolderKind, [
      folderDoc('Finance', { owner: 'admin', permissions: [{ group: 'finance', read: true, writeContents: true }] }),
    ]);
    const finance = await folderAt('Finance');
    const settings = await h.sim.ok<Record<string, unknown>>('GET', `/project-folders/${finance.id}/settings`);
    expect(settings.permissions).toEqual([{ group: 'finance', read: true, writeContents: true, admin: false }]);

    // Someone adds a grant and a setting by hand.
    await h.sim.ok('PUT', `/project-folders/${finance.id}/settings`, {
      ...settings,
      permissions: [...(settings.permissions as unknown[]), { group: 'everyone', read: true, writeContents: false, admin: false }],
      undocumentedSetting: { keep: 'me' },
    });

    const doc = folderDoc('Finance', { owner: 'admin', permissions: [{ group: 'finance', read: true }] });
    const ctx = h.run();
    const planned = await planUnits(projectFolderKind, ctx, projectFolderKind.units(doc));
    expect(planned[0]!.changes.map((c) => `${c.kind} ${c.path}`).sort()).toEqual([
      'modify permissions[group=finance].writeContents',
      'remove permissions[group=everyone]',
    ]);
    await applyPlanned(projectFolderKind, ctx, planned);

    const after = await h.sim.ok<Record<string, unknown>>('GET', `/project-folders/${finance.id}/settings`);
    expect(after.permissions).toEqual([{ group: 'finance', read: true, writeContents: false, admin: false }]);
    expect(after.undocumentedSetting).toEqual({ keep: 'me' });
    expect(after.name).toBe('Finance');
    expect(await converge(h, projectFolderKind, [doc])).toEqual([]);
    expect(await writesDuring(h.client, () => converge(h, projectFolderKind, [doc]))).toBe(0);
  });

  it('deletes an empty folder and refuses a folder that still holds something', async () => {
    await converge(h, projectFolderKind, [folderDoc('Old/Empty')]);
    await expect(projectFolderKind.delete!(h.run(), 'ProjectFolder/Old')).rejects.toThrow(/not empty/);
    await projectFolderKind.delete!(h.run(), 'ProjectFolder/Old/Empty');
    expect((await childrenOf((await folderAt('Old')).id)).length).toBe(0);
    const [unit] = projectFolderKind.units(folderDoc('Old/Empty'));
    expect(await projectFolderKind.read(h.run(), unit!)).toBeUndefined();
  });
});

async function countFolders(): Promise<number> {
  let count = 0;
  let level = [await h.sim.ok<Folder>('GET', '/project-folders/ROOT')];
  while (level.length > 0) {
    count += level.length;
    level = (await Promise.all(level.map((f) => childrenOf(f.id)))).flat();
  }
  return count;
}
