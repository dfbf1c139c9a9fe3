// The simulator's instance variables, as DSS serves them to the official client's get_variables/set_variables.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const WRITER = 'project-writer-key';
let sim: TestSimulator;

beforeAll(async () => {
  sim = await startTestSimulator({ apiKeys: [{ key: WRITER, login: 'writer', projects: { CHURN: ['ADMIN'] }, global: ['WRITE_CONF'] }] });
});
afterAll(() => sim.close());

describe('/admin/variables/', () => {
  it('keeps one object across GET and PUT, every key as stored, at both path forms', async () => {
    expect(await sim.ok('GET', '/admin/variables/')).toEqual({});
    const variables = { env: 'prod', nested: { a: [1, 2, { b: null }] }, 'dss-gitops.lock': { id: 'x' } };
    const put = await sim.call('PUT', '/admin/variables/', variables, { noContentType: true });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({});
    expect(await sim.ok('GET', '/admin/variables')).toEqual(variables);
    await sim.ok('PUT', '/admin/variables', { env: 'dev' });
    expect(await sim.ok('GET', '/admin/variables/')).toEqual({ env: 'dev' });
  });

  it('refuses anything but an object', async () => {
    const bad = await sim.call('PUT', '/admin/variables/', ['a']);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ errorType: 'java.lang.IllegalArgumentException' });
  });

  it('answers 403 with DSS error body to a key that is not an administrator', async () => {
    for (const method of ['GET', 'PUT']) {
      const refused = await sim.call(method, '/admin/variables/', method === 'PUT' ? {} : undefined, { key: WRITER });
      expect(refused.status).toBe(403);
      expect(refused.json).toMatchObject({ errorType: 'com.dataiku.dip.exceptions.DKUSecurityException', message: expect.stringContaining('administrator') as unknown });
    }
  });

  it('persists the variables with the rest of the state', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-admin-vars-'));
    try {
      const stateFile = path.join(dir, 'state.json');
      const first = await startTestSimulator({ stateFile });
      await first.ok('PUT', '/admin/variables/', { kept: true });
      await first.close();
      const second = await startTestSimulator({ stateFile });
      expect(await second.ok('GET', '/admin/variables/')).toEqual({ kept: true });
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
