// The simulator's transport: base paths, trailing slashes, body parsing, headers, auth, error bodies.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startTestSimulator({
    apiKeys: [
      { key: 'reader-key', login: 'reader', projects: { ALPHA: ['READ_CONF'] } },
      { key: 'writer-key', login: 'writer', projects: { ALPHA: ['WRITE_CONF'] }, global: ['WRITE_CONF'] },
    ],
  });
  await sim.ok('POST', '/projects/', { projectKey: 'ALPHA', name: 'Alpha', owner: 'admin' });
  await sim.ok('POST', '/projects/', { projectKey: 'BETA', name: 'Beta', owner: 'admin' });
});
afterAll(() => sim.close());

describe('simulator transport', () => {
  it('serves both base paths, with or without trailing slash, and never redirects', async () => {
    for (const basePath of ['/public/api', '/dip/publicapi']) {
      for (const path of ['/projects', '/projects/']) {
        const result = await sim.call<{ projectKey: string }[]>('GET', path, undefined, { basePath });
        expect(result.status).toBe(200);
        expect(result.json.map((p) => p.projectKey).sort()).toEqual(['ALPHA', 'BETA']);
      }
    }
    const post = await sim.call('POST', '/projects/', { projectKey: 'GAMMA', name: 'Gamma' }, { basePath: '/dip/publicapi' });
    expect(post.status).toBe(200);
    await sim.ok('DELETE', '/projects/GAMMA/');
  });

  it('sends DSS-API-Version and DSS-Version on every answer, errors included', async () => {
    for (const result of [await sim.call('GET', '/projects/'), await sim.call('GET', '/nowhere'), await sim.call('GET', '/projects/', undefined, { key: null })]) {
      expect(result.headers.get('dss-api-version')).toBeTruthy();
      expect(result.headers.get('dss-version')).toBeTruthy();
    }
  });

  it('parses a JSON body sent without Content-Type', async () => {
    await sim.ok('PUT', '/projects/ALPHA/variables/', undefined, {
      rawBody: JSON.stringify({ standard: { a: 1 }, local: {} }),
      noContentType: true,
    });
    expect(await sim.ok('GET', '/projects/ALPHA/variables')).toEqual({ standard: { a: 1 }, local: {} });
  });

  it('answers invalid JSON with 400 IllegalArgumentException', async () => {
    const result = await sim.call('PUT', '/projects/ALPHA/variables', undefined, { rawBody: '{not json' });
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({ errorType: 'java.lang.IllegalArgumentException' });
  });

  it('answers unknown routes with 404 NotFoundException and wrong methods with 405', async () => {
    const unknown = await sim.call('GET', '/no/such/thing');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({
      errorType: 'com.dataiku.dip.server.controllers.NotFoundException',
      message: expect.any(String),
      detailedMessage: expect.any(String),
    });
    const offApi = await sim.call('GET', '/x', undefined, { basePath: '/elsewhere' });
    expect(offApi.status).toBe(404);
    const wrongMethod = await sim.call('PATCH', '/projects/ALPHA/variables');
    expect(wrongMethod.status).toBe(405);
  });

  it('answers 401 without a key or with a wrong key', async () => {
    const none = await sim.call('GET', '/projects/', undefined, { key: null });
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ errorType: 'com.dataiku.dip.exceptions.UnauthorizedException' });
    const wrong = await sim.call('GET', '/projects/', undefined, { key: 'not-a-key' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('not-a-key');
  });

  it('answers 403 when a scoped key lacks the privilege, and filters lists by what it may read', async () => {
    const list = await sim.ok<{ projectKey: string }[]>('GET', '/projects/', undefined, { key: 'reader-key' });
    expect(list.map((p) => p.projectKey)).toEqual(['ALPHA']);
    expect((await sim.call('GET', '/projects/ALPHA/variables', undefined, { key: 'reader-key' })).status).toBe(200);
    const denied = await sim.call('PUT', '/projects/ALPHA/variables', { standard: {} }, { key: 'reader-key' });
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ errorType: 'com.dataiku.dip.exceptions.DKUSecurityException' });
    expect((await sim.call('GET', '/projects/BETA/variables', undefined, { key: 'reader-key' })).status).toBe(403);
    expect((await sim.call('GET', '/projects/ALPHA/permissions', undefined, { key: 'writer-key' })).status).toBe(403);
    expect((await sim.call('POST', '/projects/', { projectKey: 'R', name: 'R' }, { key: 'reader-key' })).status).toBe(403);
    const created = await sim.call('POST', '/projects/', { projectKey: 'W', name: 'W' }, { key: 'writer-key' });
    expect(created.status).toBe(200);
    const moved = await sim.call('POST', '/project-folders/ROOT/move?destination=ROOT', undefined, { key: 'writer-key' });
    expect(moved.status).toBe(403);
  });

  it('reads query booleans as True or true', async () => {
    for (const [flag, dropped] of [['True', true], ['true', true], ['False', false], ['false', false]] as const) {
      await sim.ok('POST', '/projects/', { projectKey: 'TMP', name: 'Tmp' });
      const answer = await sim.ok<{ msg: string }>('DELETE', `/projects/TMP?dropData=${flag}`);
      expect(answer.msg.includes('managed data dropped')).toBe(dropped);
    }
  });

  it('accepts a Bearer token as DSS does', async () => {
    const result = await sim.call('GET', '/projects/', undefined, {
      key: null,
      headers: { authorization: `Bearer ${sim.adminKey}` },
    });
    expect(result.status).toBe(200);
  });
});
