// Project folders on the simulator: root, children, settings, moves and deletion only when empty.

import { afterAll, beforeEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

interface Folder {
  id: string;
  name: string | null;
  parentId: string | null;
  childrenIds: string[];
  projectKeys: string[];
}

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
beforeEach(() => sim.reset());
afterAll(() => sim.close());

describe('project folders', () => {
  it('shows the root at /project-folders/ and /project-folders/ROOT', async () => {
    const root = await sim.ok<Folder>('GET', '/project-folders/');
    expect(root).toEqual({ id: 'ROOT', name: null, parentId: null, childrenIds: [], projectKeys: [] });
    expect(await sim.ok('GET', '/project-folders/ROOT')).toEqual(root);
  });

  it('creates a child folder from a query parameter, with no body', async () => {
    const child = await sim.ok<Folder>('POST', '/project-folders/ROOT/children?name=Sales');
    expect(child).toMatchObject({ name: 'Sales', parentId: 'ROOT', childrenIds: [], projectKeys: [] });
    expect(child.id).toMatch(/^[A-Za-z0-9]{7}$/);
    expect((await sim.ok<Folder>('GET', '/project-folders/ROOT')).childrenIds).toEqual([child.id]);
    expect(await sim.ok('GET', `/project-folders/${child.id}/`)).toEqual(child);
    const duplicate = await sim.call('POST', '/project-folders/ROOT/children?name=Sales');
    expect(duplicate.status).toBe(400);
    expect((await sim.call('POST', '/project-folders/ROOT/children')).status).toBe(400);
    expect((await sim.call('POST', '/project-folders/nope/children?name=X')).status).toBe(404);
  });

  it('reads and writes folder settings, keeping what the client sends', async () => {
    const child = await sim.ok<Folder>('POST', '/project-folders/ROOT/children?name=Ops');
    const settings = await sim.ok<Record<string, unknown>>('GET', `/project-folders/${child.id}/settings`);
    expect(settings).toEqual({ name: 'Ops', owner: 'admin', permissions: [] });
    const put = await sim.call('PUT', `/project-folders/${child.id}/settings`, {
      ...settings,
      name: 'Operations',
      permissions: [{ group: 'ops', read: true, writeContents: true }, { user: 'eve', read: true }],
      someUndocumentedField: { kept: true },
    });
    expect(put.status).toBe(204);
    expect(await sim.ok('GET', `/project-folders/${child.id}/settings`)).toMatchObject({
      name: 'Operations',
      permissions: [
        { group: 'ops', read: true, writeContents: true, admin: false },
        { user: 'eve', read: true, writeContents: false, admin: false },
      ],
      someUndocumentedField: { kept: true },
    });
    const noGrantee = { ...settings, permissions: [{ read: true }] };
    expect((await sim.call('PUT', `/project-folders/${child.id}/settings`, noGrantee)).status).toBe(400);
    expect((await sim.ok<Folder>('GET', `/project-folders/${child.id}`)).name).toBe('Operations');
    expect((await sim.call('PUT', `/project-folders/${child.id}/settings`, { owner: 'admin' })).status).toBe(400);
  });

  it('moves folders and projects, refusing a move into a sub-folder', async () => {
    const a = await sim.ok<Folder>('POST', '/project-folders/ROOT/children?name=A');
    const b = await sim.ok<Folder>('POST', `/project-folders/${a.id}/children?name=B`);
    const c = await sim.ok<Folder>('POST', '/project-folders/ROOT/children?name=C');
    expect((await sim.call('POST', `/project-folders/${a.id}/move?destination=${b.id}`)).status).toBe(400);
    expect((await sim.call('POST', `/project-folders/${b.id}/move?destination=${c.id}`)).status).toBe(204);
    expect((await sim.ok<Folder>('GET', `/project-folders/${c.id}`)).childrenIds).toEqual([b.id]);
    expect((await sim.ok<Folder>('GET', `/project-folders/${a.id}`)).childrenIds).toEqual([]);

    await sim.ok('POST', `/projects/?projectFolderId=${a.id}`, { projectKey: 'P1', name: 'P1' });
    expect((await sim.ok<Folder>('GET', `/project-folders/${a.id}`)).projectKeys).toEqual(['P1']);
    const wrongSource = await sim.call('POST', `/project-folders/${c.id}/projects/P1/move?destination=ROOT`);
    expect(wrongSource.status).toBe(400);
    expect((await sim.call('POST', `/project-folders/${a.id}/projects/P1/move?destination=${c.id}`)).status).toBe(204);
    expect((await sim.ok<Folder>('GET', `/project-folders/${c.id}`)).projectKeys).toEqual(['P1']);
    expect((await sim.ok<Folder>('GET', `/project-folders/${a.id}`)).projectKeys).toEqual([]);
  });

  it('deletes a folder only when it is empty', async () => {
    const a = await sim.ok<Folder>('POST', '/project-folders/ROOT/children?name=A');
    await sim.ok('POST', `/projects/?projectFolderId=${a.id}`, { projectKey: 'P1', name: 'P1' });
    const refused = await sim.call('DELETE', `/project-folders/${a.id}`);
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ errorType: expect.any(String), message: expect.stringContaining('not empty') });
    await sim.ok('DELETE', '/projects/P1');
    expect((await sim.call('DELETE', `/project-folders/${a.id}/`)).status).toBe(204);
    expect((await sim.call('GET', `/project-folders/${a.id}`)).status).toBe(404);
    expect((await sim.call('DELETE', '/project-folders/ROOT')).status).toBe(400);
  });
});
