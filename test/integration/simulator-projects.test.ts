// Projects on the simulator: create, list with tags, delete, and each configuration part with GET-modify-PUT.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_GRANT_FLAGS } from '../../src/simulator/design/grants.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

type Obj = Record<string, unknown>;

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator();
});
beforeEach(async () => {
  sim.reset();
  await sim.ok('POST', '/projects/', { projectKey: 'CHURN_2024', name: 'Churn', owner: 'alice' });
});
afterAll(() => sim.close());

describe('projects', () => {
  it('creates projects with digits in the key and refuses bad or duplicate keys', async () => {
    const bad = await sim.call('POST', '/projects/', { projectKey: 'BAD-KEY', name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ errorType: 'java.lang.IllegalArgumentException' });
    expect((await sim.call('POST', '/projects/', { projectKey: 'CHURN_2024', name: 'again' })).status).toBe(400);
    expect((await sim.call('POST', '/projects/', { projectKey: 'NONAME' })).status).toBe(400);
    expect((await sim.call('POST', '/projects/', { name: 'no key' })).status).toBe(400);
    expect((await sim.call('POST', '/projects/?projectFolderId=missing', { projectKey: 'X', name: 'X' })).status).toBe(404);
    const list = await sim.ok<Obj[]>('GET', '/projects/');
    expect(list).toEqual([expect.objectContaining({ projectKey: 'CHURN_2024', name: 'Churn', ownerLogin: 'alice' })]);
  });

  it('answers a project summary at /projects/{key}', async () => {
    expect(await sim.ok('GET', '/projects/CHURN_2024/')).toMatchObject({ projectKey: 'CHURN_2024', name: 'Churn' });
    expect((await sim.call('GET', '/projects/NOPE')).status).toBe(404);
  });

  it('filters the list by tags (any of a comma-separated list)', async () => {
    await sim.ok('POST', '/projects/', { projectKey: 'OTHER', name: 'Other' });
    const metadata = await sim.ok<Obj>('GET', '/projects/CHURN_2024/metadata');
    await sim.ok('PUT', '/projects/CHURN_2024/metadata', { ...metadata, tags: ['prod', 'ml'] });
    const keys = async (query: string): Promise<unknown[]> =>
      (await sim.ok<Obj[]>('GET', `/projects/${query}`)).map((p) => p.projectKey);
    expect(await keys('?tags=ml')).toEqual(['CHURN_2024']);
    expect(await keys('?tags=nothing,prod')).toEqual(['CHURN_2024']);
    expect(await keys('?tags=nothing')).toEqual([]);
    expect((await keys('')).sort()).toEqual(['CHURN_2024', 'OTHER']);
  });

  it('keeps undocumented metadata fields through GET-modify-PUT and loses them when the client drops them', async () => {
    const metadata = await sim.ok<Obj>('GET', '/projects/CHURN_2024/metadata');
    expect(metadata).toMatchObject({ label: 'Churn', tags: [], checklists: { checklists: [] }, custom: { kv: {} } });
    expect(metadata.versionTag).toMatchObject({ versionNumber: 0 });
    await sim.ok('PUT', '/projects/CHURN_2024/metadata', { ...metadata, shortDesc: 'churn model' });
    const after = await sim.ok<Obj>('GET', '/projects/CHURN_2024/metadata');
    expect(after).toMatchObject({ shortDesc: 'churn model', checklists: { checklists: [] } });
    expect(after.versionTag).toMatchObject({ versionNumber: 1 });

    await sim.ok('PUT', '/projects/CHURN_2024/metadata', { label: 'Churn', tags: [] });
    const dropped = await sim.ok<Obj>('GET', '/projects/CHURN_2024/metadata');
    expect(dropped.checklists).toBeUndefined();
    expect((await sim.call('PUT', '/projects/CHURN_2024/metadata', { tags: [] })).status).toBe(400);
  });

  it('reads and writes permissions, validating owner and entries', async () => {
    const perms = await sim.ok<Obj>('GET', '/projects/CHURN_2024/permissions');
    expect(perms).toMatchObject({ owner: 'alice', permissions: [], dashboardAuthorizations: expect.any(Object) });
    const next = {
      ...perms,
      permissions: [
        { group: 'analysts', readProjectContent: true, writeProjectContent: false },
        { user: 'bob', runScenarios: true, someUndocumentedField: 'kept' },
      ],
    };
    expect((await sim.call('PUT', '/projects/CHURN_2024/permissions/', next)).status).toBe(204);
    // DSS answers every flag of a grant, false unless granted, whatever the client sent.
    const allFalse = Object.fromEntries(PROJECT_GRANT_FLAGS.map((flag) => [flag, false]));
    expect(await sim.ok('GET', '/projects/CHURN_2024/permissions')).toEqual({
      ...perms,
      permissions: [
        { group: 'analysts', ...allFalse, readProjectContent: true },
        { user: 'bob', ...allFalse, runScenarios: true, someUndocumentedField: 'kept' },
      ],
    });
    const badFlag = { ...perms, permissions: [{ group: 'analysts', admin: 'yes' }] };
    expect((await sim.call('PUT', '/projects/CHURN_2024/permissions', badFlag)).status).toBe(400);
    expect((await sim.call('PUT', '/projects/CHURN_2024/permissions', { permissions: [] })).status).toBe(400);
    expect((await sim.call('PUT', '/projects/CHURN_2024/permissions', { owner: 'a', permissions: [{ read: true }] })).status).toBe(400);
  });

  it('reads and writes variables', async () => {
    expect(await sim.ok('GET', '/projects/CHURN_2024/variables/')).toEqual({ standard: {}, local: {} });
    await sim.ok('PUT', '/projects/CHURN_2024/variables/', { standard: { threshold: 0.7 }, local: { debug: true } });
    expect(await sim.ok('GET', '/projects/CHURN_2024/variables')).toEqual({ standard: { threshold: 0.7 }, local: { debug: true } });
    expect((await sim.call('PUT', '/projects/CHURN_2024/variables', { local: {} })).status).toBe(400);
  });

  it('keeps a tag colour dictionary that metadata tags feed', async () => {
    expect(await sim.ok('GET', '/projects/CHURN_2024/tags')).toEqual({ tags: {} });
    const metadata = await sim.ok<Obj>('GET', '/projects/CHURN_2024/metadata');
    await sim.ok('PUT', '/projects/CHURN_2024/metadata', { ...metadata, tags: ['prod'] });
    const tags = await sim.ok<{ tags: Record<string, { color: string }> }>('GET', '/projects/CHURN_2024/tags');
    expect(tags.tags.prod?.color).toMatch(/^#[0-9a-f]{6}$/);
    await sim.ok('PUT', '/projects/CHURN_2024/tags', { tags: { prod: { color: '#000000' }, ml: { color: '#ffffff' } } });
    expect(await sim.ok('GET', '/projects/CHURN_2024/tags')).toEqual({ tags: { prod: { color: '#000000' }, ml: { color: '#ffffff' } } });
    expect((await sim.call('PUT', '/projects/CHURN_2024/tags', { prod: {} })).status).toBe(400);
  });

  it('reads and writes settings, refusing a changed project key', async () => {
    const settings = await sim.ok<Obj & { settings: Obj }>('GET', '/projects/CHURN_2024/settings');
    expect(settings).toMatchObject({ projectKey: 'CHURN_2024', settings: { disableAutomaticTriggers: false } });
    await sim.ok('PUT', '/projects/CHURN_2024/settings', { ...settings, settings: { ...settings.settings, disableAutomaticTriggers: true } });
    expect(await sim.ok('GET', '/projects/CHURN_2024/settings')).toMatchObject({ settings: { disableAutomaticTriggers: true, cluster: expect.any(Object) } });
    expect((await sim.call('PUT', '/projects/CHURN_2024/settings', { ...settings, projectKey: 'OTHER' })).status).toBe(400);
  });

  it('deletes a project with a JSON answer, then answers 404 for it', async () => {
    const deleted = await sim.call('DELETE', '/projects/CHURN_2024?dropData=True');
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ msg: expect.any(String) });
    const missing = await sim.call('GET', '/projects/CHURN_2024/metadata');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ errorType: 'com.dataiku.dip.server.controllers.NotFoundException' });
    expect((await sim.ok<{ projectKeys: string[] }>('GET', '/project-folders/ROOT')).projectKeys).toEqual([]);
  });
});
