// The simulator's groups and users, as DSS serves them to the official client's list_groups/create_group/DSSGroup
// and list_users/create_user/DSSUser: admin-only, 404s in DSS's error shape, a write-only password, secret values
// not given back, unknown fields kept as stored.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordMatches, type UserRecord } from '../../src/simulator/admin/security-state.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const WRITER = 'project-writer-key';
let sim: TestSimulator;

beforeAll(async () => {
  sim = await startTestSimulator({ apiKeys: [{ key: WRITER, login: 'writer', projects: { CHURN: ['ADMIN'] }, global: ['WRITE_CONF'] }] });
});
afterAll(() => sim.close());

type Json = Record<string, unknown>;
const userRecord = (login: string): UserRecord => sim.state().design.security?.users[login] as UserRecord;

describe('/admin/groups/', () => {
  it('has the built-in administrators group on a fresh node', async () => {
    const groups = await sim.ok<Json[]>('GET', '/admin/groups/');
    expect(groups.map((g) => g.name)).toContain('administrators');
    expect(await sim.ok('GET', '/admin/groups/administrators')).toMatchObject({ admin: true, sourceType: 'LOCAL' });
  });

  it('creates a group with every permission false, then keeps what a PUT stores, unknown fields included', async () => {
    await sim.ok('POST', '/admin/groups/', { name: 'analysts', description: 'Analysts', sourceType: 'LOCAL' });
    const created = await sim.ok<Json>('GET', '/admin/groups/analysts');
    expect(created).toMatchObject({ name: 'analysts', description: 'Analysts', admin: false, mayCreateProjects: false, ldapGroupNames: [] });
    await sim.ok('PUT', '/admin/groups/analysts', { ...created, mayCreateProjects: true, futureField: { a: 1 } });
    expect(await sim.ok('GET', '/admin/groups/analysts/')).toMatchObject({ mayCreateProjects: true, futureField: { a: 1 } });
  });

  it('refuses a duplicate, a rename, a bad name and a flag that is not a boolean', async () => {
    await sim.ok('POST', '/admin/groups/', { name: 'dup' });
    expect((await sim.call('POST', '/admin/groups/', { name: 'dup' })).status).toBe(400);
    expect((await sim.call('POST', '/admin/groups/', { name: 'a/b' })).status).toBe(400);
    expect((await sim.call('PUT', '/admin/groups/dup', { name: 'other' })).status).toBe(400);
    const bad = await sim.call('PUT', '/admin/groups/dup', { name: 'dup', admin: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ errorType: 'java.lang.IllegalArgumentException' });
  });

  it('answers 404 in DSS error shape for a group that does not exist', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const missing = await sim.call(method, '/admin/groups/nobody', method === 'PUT' ? { name: 'nobody' } : undefined);
      expect(missing.status).toBe(404);
      expect(missing.json).toMatchObject({ errorType: 'com.dataiku.dip.server.controllers.NotFoundException' });
    }
  });

  it('takes a deleted group out of the groups of its users, who stay', async () => {
    await sim.ok('POST', '/admin/groups/', { name: 'leaving' });
    await sim.ok('POST', '/admin/users/', { login: 'stays', password: 'pw-1', groups: ['leaving', 'administrators'] });
    await sim.ok('DELETE', '/admin/groups/leaving');
    expect((await sim.call('GET', '/admin/groups/leaving')).status).toBe(404);
    expect(await sim.ok('GET', '/admin/users/stays')).toMatchObject({ groups: ['administrators'] });
  });
});

describe('/admin/users/', () => {
  it('has the built-in admin user, in administrators', async () => {
    expect(await sim.ok('GET', '/admin/users/admin')).toMatchObject({ login: 'admin', groups: ['administrators'], enabled: true });
  });

  it('creates a user as create_user sends it, never gives the password back, and replaces it on a PUT', async () => {
    await sim.ok('POST', '/admin/groups/', { name: 'readers' });
    const body = { login: 'alice', password: 'first-pass', displayName: 'Alice', sourceType: 'LOCAL', groups: ['readers'], userProfile: 'READER' };
    const created = await sim.call('POST', '/admin/users/', body);
    expect(created.status).toBe(200);
    expect(created.text).not.toContain('first-pass');
    const settings = await sim.ok<Json>('GET', '/admin/users/alice');
    expect(settings).toMatchObject({ login: 'alice', displayName: 'Alice', groups: ['readers'], userProfile: 'READER', enabled: true });
    expect(settings).not.toHaveProperty('password');
    expect(passwordMatches(userRecord('alice'), 'first-pass')).toBe(true);

    await sim.ok('PUT', '/admin/users/alice', { ...settings, enabled: false, unknownField: [1] });
    expect(passwordMatches(userRecord('alice'), 'first-pass')).toBe(true);
    await sim.ok('PUT', '/admin/users/alice', { ...settings, password: 'second-pass' });
    expect(passwordMatches(userRecord('alice'), 'second-pass')).toBe(true);
    const list = await sim.call('GET', '/admin/users/');
    expect(list.text).not.toContain('second-pass');
    const listed = (list.json as Json[]).find((u) => u.login === 'alice');
    expect(listed).toEqual({ login: 'alice', displayName: 'Alice', email: '', groups: ['readers'], userProfile: 'READER', sourceType: 'LOCAL', enabled: true, creationDate: settings.creationDate });
    const full = await sim.call<Json[]>('GET', '/admin/users/?includeSettings=true');
    expect(full.text).not.toContain('second-pass');
    expect(full.json.find((u) => u.login === 'alice')).toMatchObject({ adminProperties: {}, secrets: [] });
  });

  it("keeps a user's secret values to itself, and a PUT without the value keeps the stored one", async () => {
    await sim.ok('POST', '/admin/users/', { login: 'bob', password: 'pw' });
    const settings = await sim.ok<Json>('GET', '/admin/users/bob');
    await sim.ok('PUT', '/admin/users/bob', { ...settings, secrets: [{ name: 'token', value: 'bob-token-value', secret: true }] });
    const read = await sim.call<Json>('GET', '/admin/users/bob');
    expect(read.text).not.toContain('bob-token-value');
    await sim.ok('PUT', '/admin/users/bob', { ...read.json, displayName: 'Bob' });
    expect(userRecord('bob').settings.secrets).toEqual([{ name: 'token', value: 'bob-token-value', secret: true }]);
  });

  it('refuses a group that does not exist, a duplicate, a login change, and answers 404 for an unknown user', async () => {
    expect((await sim.call('POST', '/admin/users/', { login: 'carol', groups: ['ghosts'] })).status).toBe(400);
    await sim.ok('POST', '/admin/users/', { login: 'carol' });
    expect((await sim.call('POST', '/admin/users/', { login: 'carol' })).status).toBe(400);
    expect((await sim.call('PUT', '/admin/users/carol', { login: 'dave' })).status).toBe(400);
    expect((await sim.call('PUT', '/admin/users/carol', { login: 'carol', groups: ['ghosts'] })).status).toBe(400);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const missing = await sim.call(method, '/admin/users/nobody', method === 'PUT' ? {} : undefined);
      expect(missing.status).toBe(404);
      expect(missing.json).toMatchObject({ errorType: 'com.dataiku.dip.server.controllers.NotFoundException' });
    }
    await sim.ok('DELETE', '/admin/users/carol');
    expect((await sim.call('GET', '/admin/users/carol')).status).toBe(404);
  });

  it('answers 403 to a key that is not an administrator, on every route', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/admin/groups/'],
      ['POST', '/admin/groups/'],
      ['GET', '/admin/groups/administrators'],
      ['PUT', '/admin/groups/administrators'],
      ['DELETE', '/admin/groups/administrators'],
      ['GET', '/admin/users/'],
      ['POST', '/admin/users/'],
      ['GET', '/admin/users/admin'],
      ['PUT', '/admin/users/admin'],
      ['DELETE', '/admin/users/admin'],
    ];
    for (const [method, route] of routes) {
      const refused = await sim.call(method, route, method === 'GET' || method === 'DELETE' ? undefined : {}, { key: WRITER });
      expect(refused.status, `${method} ${route}`).toBe(403);
      expect(refused.json).toMatchObject({ errorType: 'com.dataiku.dip.exceptions.DKUSecurityException' });
    }
  });
});

describe('persistence', () => {
  it('keeps groups and users across a restart, with the password hash sealed in the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-admin-security-'));
    try {
      const stateFile = path.join(dir, 'state.json');
      const first = await startTestSimulator({ stateFile });
      await first.ok('POST', '/admin/groups/', { name: 'kept' });
      await first.ok('POST', '/admin/users/', { login: 'kept-user', password: 'kept-pass', groups: ['kept'] });
      const hash = (first.state().design.security?.users['kept-user'] as UserRecord).passwordHash as string;
      await first.close();
      expect(readFileSync(stateFile, 'utf8')).not.toContain(hash);
      const second = await startTestSimulator({ stateFile });
      expect(await second.ok('GET', '/admin/users/kept-user')).toMatchObject({ groups: ['kept'] });
      expect(passwordMatches(second.state().design.security?.users['kept-user'] as UserRecord, 'kept-pass')).toBe(true);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
