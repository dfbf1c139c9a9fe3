// The simulator's connections, as DSS serves them to the official client: list_connections, create_connection,
// DSSConnection.get_settings / save / delete / get_info. Credentials come back in an encrypted form only, and a
// save that sends that form back keeps the stored credential.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSimulators } from '../helpers/simulator.js';

const start = useSimulators();
const WRITER = 'project-writer-key';
const PASSWORD = 'pg-Secret-4711';

type Json = Record<string, unknown>;

async function warehouse(sim: Awaited<ReturnType<typeof start>>): Promise<void> {
  await sim.ok('POST', '/admin/connections/', {
    name: 'warehouse',
    type: 'PostgreSQL',
    params: { host: 'db.internal', db: 'dwh', user: 'dss', password: PASSWORD },
    usableBy: 'ALLOWED',
    allowedGroups: ['analysts'],
  });
}

describe('/admin/connections/', () => {
  it('creates with the official client body, fills in DSS defaults, and lists by name', async () => {
    const sim = await start();
    await warehouse(sim);
    await sim.ok('POST', '/admin/connections', { name: 'lake', type: 'Filesystem', params: { root: '/data/lake' }, usableBy: 'ALL', allowedGroups: [] });
    const all = await sim.ok<Record<string, Json>>('GET', '/admin/connections/');
    expect(Object.keys(all)).toEqual(['filesystem_folders', 'filesystem_managed', 'filesystem_root', 'lake', 'warehouse']);
    const got = await sim.ok<Json>('GET', '/admin/connections/warehouse');
    expect(got).toMatchObject({
      name: 'warehouse',
      type: 'PostgreSQL',
      params: { host: 'db.internal', port: 5432, db: 'dwh', user: 'dss', properties: [] },
      usableBy: 'ALLOWED',
      allowedGroups: ['analysts'],
      allowWrite: true,
      allowManagedDatasets: true,
      allowManagedFolders: false,
      detailsReadability: { readableBy: 'NONE', allowedGroups: [] },
      credentialsMode: 'GLOBAL',
    });
    expect(all.warehouse).toEqual(got);
    expect(all.lake).toMatchObject({ type: 'Filesystem', params: { root: '/data/lake' } });
  });

  it('comes with the connections of a fresh DSS', async () => {
    const sim = await start();
    const all = await sim.ok<Record<string, Json>>('GET', '/admin/connections/');
    expect(Object.keys(all)).toEqual(['filesystem_folders', 'filesystem_managed', 'filesystem_root']);
    expect(all.filesystem_managed).toMatchObject({ type: 'Filesystem', params: { root: '${dip.home}/managed_datasets' }, usableBy: 'ALL' });
  });

  it('never gives a credential back: the password reads as an encrypted form, stable across reads', async () => {
    const sim = await start();
    await warehouse(sim);
    const first = await sim.call('GET', '/admin/connections/warehouse');
    const listed = await sim.call('GET', '/admin/connections/');
    for (const answer of [first, listed]) expect(answer.text).not.toContain(PASSWORD);
    const shown = ((first.json as Json).params as Json).password;
    expect(shown).toMatch(/^e:AES:/);
    const again = await sim.ok<Json>('GET', '/admin/connections/warehouse');
    expect((again.params as Json).password).toBe(shown);
  });

  it('keeps the stored credential when a save sends the encrypted form back, and replaces it with a clear one', async () => {
    const sim = await start();
    await warehouse(sim);
    const settings = await sim.ok<Json>('GET', '/admin/connections/warehouse');
    settings.allowWrite = false;
    await sim.ok('PUT', '/admin/connections/warehouse', settings);
    const info = await sim.ok<Json>('GET', '/connections/warehouse/info');
    expect(info.resolvedBasicCredential).toEqual({ user: 'dss', password: PASSWORD });
    expect((await sim.ok<Json>('GET', '/admin/connections/warehouse')).allowWrite).toBe(false);

    const rotated = await sim.ok<Json>('GET', '/admin/connections/warehouse');
    const before = (rotated.params as Json).password;
    (rotated.params as Json).password = 'rotated-Secret-2';
    await sim.ok('PUT', '/admin/connections/warehouse', rotated);
    expect((await sim.ok<Json>('GET', '/connections/warehouse/info')).resolvedBasicCredential).toEqual({ user: 'dss', password: 'rotated-Secret-2' });
    const after = await sim.ok<Json>('GET', '/admin/connections/warehouse');
    expect((after.params as Json).password).toMatch(/^e:AES:/);
    expect((after.params as Json).password).not.toBe(before);
  });

  it('takes the secret-looking params of a type it does not know for credentials, and not the settings about them', async () => {
    const sim = await start();
    await sim.ok('POST', '/admin/connections/', {
      name: 'sf',
      type: 'Snowflake',
      params: { host: 'acme.snowflakecomputing.com', user: 'dss', password: 'sf-Secret-1', credentialsMode: 'GLOBAL', privateKey: 'pk-Secret-2' },
    });
    const params = (await sim.ok<Json>('GET', '/admin/connections/sf')).params as Json;
    expect(params).toMatchObject({ host: 'acme.snowflakecomputing.com', user: 'dss', credentialsMode: 'GLOBAL' });
    expect(params.password).toMatch(/^e:AES:/);
    expect(params.privateKey).toMatch(/^e:AES:/);
  });

  it('refuses an encrypted form it did not give, a changed type and a rename, and keeps fields it does not know', async () => {
    const sim = await start();
    await warehouse(sim);
    const settings = await sim.ok<Json>('GET', '/admin/connections/warehouse');
    const forged = { ...settings, params: { ...(settings.params as Json), password: 'e:AES:Zm9yZ2Vk' } };
    const refused = await sim.call('PUT', '/admin/connections/warehouse', forged);
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ errorType: 'java.lang.IllegalArgumentException' });
    expect((await sim.call('PUT', '/admin/connections/warehouse', { ...settings, type: 'Filesystem' })).status).toBe(400);
    expect((await sim.call('PUT', '/admin/connections/warehouse', { ...settings, name: 'other' })).status).toBe(400);
    await sim.ok('PUT', '/admin/connections/warehouse', { ...settings, customField: { kept: [1, 2] } });
    expect(await sim.ok<Json>('GET', '/admin/connections/warehouse')).toMatchObject({ customField: { kept: [1, 2] } });
  });

  it('refuses a second connection of the same name and answers 404 with DSS error body for an unknown one', async () => {
    const sim = await start();
    await warehouse(sim);
    const again = await sim.call('POST', '/admin/connections/', { name: 'warehouse', type: 'Filesystem', params: {} });
    expect(again.status).toBe(409);
    for (const [method, route] of [
      ['GET', '/admin/connections/nowhere'],
      ['PUT', '/admin/connections/nowhere'],
      ['DELETE', '/admin/connections/nowhere'],
      ['GET', '/connections/nowhere/info'],
    ] as const) {
      const missing = await sim.call(method, route, method === 'PUT' ? { type: 'Filesystem' } : undefined);
      expect(missing.status, `${method} ${route}`).toBe(404);
      expect(missing.json).toMatchObject({ errorType: 'com.dataiku.dip.server.controllers.NotFoundException' });
    }
    await sim.ok('DELETE', '/admin/connections/warehouse');
    expect((await sim.call('GET', '/admin/connections/warehouse')).status).toBe(404);
  });

  it('answers 403 to a key that is not an administrator', async () => {
    const sim = await start({ apiKeys: [{ key: WRITER, login: 'writer', projects: { CHURN: ['ADMIN'] }, global: ['WRITE_CONF'] }] });
    await warehouse(sim);
    for (const [method, route] of [
      ['GET', '/admin/connections/'],
      ['POST', '/admin/connections/'],
      ['GET', '/admin/connections/warehouse'],
      ['PUT', '/admin/connections/warehouse'],
      ['DELETE', '/admin/connections/warehouse'],
      ['GET', '/connections/warehouse/info'],
    ] as const) {
      const refused = await sim.call(method, route, method === 'GET' || method === 'DELETE' ? undefined : { name: 'x', type: 'Filesystem' }, { key: WRITER });
      expect(refused.status, `${method} ${route}`).toBe(403);
      expect(refused.json).toMatchObject({ errorType: 'com.dataiku.dip.exceptions.DKUSecurityException' });
    }
  });

  it('seals stored credentials in the state file and keeps them across a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-connections-'));
    try {
      const stateFile = path.join(dir, 'state.json');
      const first = await start({ stateFile });
      await warehouse(first);
      await first.ok('POST', '/admin/connections/', { name: 's3', type: 'EC2', params: { accessKey: 'AKIA1', secretKey: 'aws-Secret-99' } });
      await first.close();
      const text = readFileSync(stateFile, 'utf8');
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('aws-Secret-99');
      const second = await start({ stateFile });
      expect((await second.ok<Json>('GET', '/connections/warehouse/info')).resolvedBasicCredential).toEqual({ user: 'dss', password: PASSWORD });
      expect((await second.ok<Json>('GET', '/connections/s3/info')).resolvedAWSCredential).toEqual({ accessKey: 'AKIA1', secretKey: 'aws-Secret-99' });
      // Closed before its folder is removed: a save it scheduled would otherwise write into a folder being removed.
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
