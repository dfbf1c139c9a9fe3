// The simulator's code envs, as DSS serves them to the official client (list_code_envs, create_code_env,
// DSSCodeEnv get_settings/save, update_packages, set_jupyter_support, list_usages, list_logs, get_log, delete).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

type Json = Record<string, unknown>;

const WRITER = 'project-writer-key';
let sim: TestSimulator;

beforeAll(async () => {
  sim = await startTestSimulator({ apiKeys: [{ key: WRITER, login: 'writer', projects: { CHURN: ['ADMIN'] }, global: ['WRITE_CONF'] }] });
});
afterAll(() => sim.close());

interface Messages {
  anyMessage: boolean;
  error: boolean;
  fatal: boolean;
  messages: { severity: string; title: string; details: string }[];
}

describe('/admin/code-envs/', () => {
  it('creates an env with the client-side creation parameters and answers the build messages', async () => {
    const created = await sim.ok<{ envLang: string; envName: string; messages: Messages }>('POST', '/admin/code-envs/PYTHON/py-a', {
      deploymentMode: 'DESIGN_MANAGED',
      pythonInterpreter: 'PYTHON310',
      installJupyterSupport: true,
    });
    expect(created).toMatchObject({ envLang: 'PYTHON', envName: 'py-a', messages: { anyMessage: true, error: false, fatal: false } });
    const def = await sim.ok<Json>('GET', '/admin/code-envs/python/py-a');
    expect(def).toMatchObject({
      envLang: 'PYTHON',
      envName: 'py-a',
      deploymentMode: 'DESIGN_MANAGED',
      owner: 'admin',
      usableByAll: false,
      permissions: [],
      specPackageList: '',
      info: { pythonVersion: '3.10.13' },
      desc: { pythonInterpreter: 'PYTHON310', conda: false, installCorePackages: true, installJupyterSupport: true, corePackagesSet: 'PANDAS13' },
    });
    expect(String(def.actualPackageList)).toContain('ipykernel==');
    expect(await sim.ok('GET', '/admin/code-envs/')).toEqual([
      expect.objectContaining({ envLang: 'PYTHON', envName: 'py-a', deploymentMode: 'DESIGN_MANAGED' }),
    ]);
  });

  it('keeps env names unique across languages, and refuses bad creations with DSS errors', async () => {
    const twice = await sim.call('POST', '/admin/code-envs/R/py-a', { deploymentMode: 'DESIGN_MANAGED' });
    expect(twice.status).toBe(400);
    expect(twice.json).toMatchObject({ errorType: 'java.lang.IllegalArgumentException', message: expect.stringContaining('already exists') as unknown });
    for (const [url, body] of [
      ['/admin/code-envs/JULIA/x', { deploymentMode: 'DESIGN_MANAGED' }],
      ['/admin/code-envs/PYTHON/x', { deploymentMode: 'AUTOMATION_SINGLE' }],
      ['/admin/code-envs/PYTHON/x', { deploymentMode: 'DESIGN_MANAGED', pythonInterpreter: 'PYTHON99' }],
      ['/admin/code-envs/PYTHON/bad%20name', { deploymentMode: 'DESIGN_MANAGED' }],
    ] as const) {
      const refused = await sim.call('POST', url, body);
      expect(refused.status, url).toBe(400);
    }
    expect((await sim.call('GET', '/admin/code-envs/PYTHON/x')).status).toBe(404);
  });

  it('fails the creation with an interpreter not installed: 200, messages.error, the log tail, no env', async () => {
    const answer = await sim.ok<{ messages: Messages }>('POST', '/admin/code-envs/PYTHON/py-old', { deploymentMode: 'DESIGN_MANAGED', pythonInterpreter: 'PYTHON27' });
    expect(answer.messages).toMatchObject({ error: true, fatal: true });
    expect(answer.messages.messages[0]?.details).toContain('python2.7 not found');
    expect((await sim.call('GET', '/admin/code-envs/PYTHON/py-old')).status).toBe(404);
  });

  it('saves what a design node may change and keeps the rest, unknown fields included', async () => {
    const def = await sim.ok<Json>('GET', '/admin/code-envs/PYTHON/py-a');
    const desc = def.desc as Json;
    const saved = await sim.ok<Json>('PUT', '/admin/code-envs/PYTHON/py-a', {
      ...def,
      envLang: 'R',
      deploymentMode: 'DESIGN_NON_MANAGED',
      actualPackageList: 'forged==1',
      specPackageList: 'tabulate\nnameparser',
      usableByAll: true,
      permissions: [{ group: 'g1', use: true }],
      extraField: { a: 1 },
      desc: { ...desc, pythonInterpreter: 'PYTHON312', owner: 'bob', containerConfs: ['k8s'], newDescField: 7 },
    });
    const read = await sim.ok<Json>('GET', '/admin/code-envs/PYTHON/py-a');
    expect(read).toEqual(saved);
    expect(read).toMatchObject({
      envLang: 'PYTHON',
      deploymentMode: 'DESIGN_MANAGED',
      actualPackageList: def.actualPackageList,
      specPackageList: 'tabulate\nnameparser',
      usableByAll: true,
      owner: 'bob',
      permissions: [{ group: 'g1', use: true }],
      extraField: { a: 1 },
      desc: { pythonInterpreter: 'PYTHON310', owner: 'bob', containerConfs: ['k8s'], newDescField: 7, usableByAll: true },
    });
    expect((await sim.call('PUT', '/admin/code-envs/PYTHON/py-a', { specPackageList: ['a'] })).status).toBe(400);
    expect((await sim.call('PUT', '/admin/code-envs/PYTHON/nope', {})).status).toBe(404);
  });

  it('updates the packages: installs the spec, or fails on a package missing from the index and keeps the old install', async () => {
    const ok = await sim.ok<{ messages: Messages }>('POST', '/admin/code-envs/PYTHON/py-a/packages?forceRebuildEnv=False');
    expect(ok.messages.error).toBe(false);
    const installed = String((await sim.ok<Json>('GET', '/admin/code-envs/PYTHON/py-a')).actualPackageList);
    expect(installed).toContain('tabulate==1.0.0');

    const def = await sim.ok<Json>('GET', '/admin/code-envs/PYTHON/py-a');
    await sim.ok('PUT', '/admin/code-envs/PYTHON/py-a', { ...def, specPackageList: 'tabulate\nmissing-lib==2.0' });
    const failed = await sim.ok<{ messages: Messages }>('POST', '/admin/code-envs/PYTHON/py-a/packages');
    expect(failed.messages).toMatchObject({ error: true });
    expect(failed.messages.messages[0]?.details).toContain('No matching distribution found for missing-lib');
    const after = await sim.ok<Json>('GET', '/admin/code-envs/PYTHON/py-a');
    expect(after.specPackageList).toBe('tabulate\nmissing-lib==2.0');
    expect(after.actualPackageList).toBe(installed);

    const logs = await sim.ok<{ name: string; totalSize: number; tail: { lines: string[] } }[]>('GET', '/admin/code-envs/PYTHON/py-a/logs');
    expect(logs.length).toBeGreaterThanOrEqual(2);
    const last = logs[logs.length - 1]!;
    expect(last.tail.lines.join('\n')).toContain('missing-lib');
    const text = await sim.call('GET', `/admin/code-envs/PYTHON/py-a/logs/${last.name}`);
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toContain('text/plain');
    expect(text.text).toContain('ERROR: No matching distribution found for missing-lib');
    expect((await sim.call('GET', '/admin/code-envs/PYTHON/py-a/logs/nope.log')).status).toBe(404);
  });

  it('refuses a package update of an env DSS does not manage', async () => {
    await sim.ok('POST', '/admin/code-envs/PYTHON/py-own', { deploymentMode: 'DESIGN_NON_MANAGED' });
    const refused = await sim.call('POST', '/admin/code-envs/PYTHON/py-own/packages');
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ errorType: 'java.lang.IllegalArgumentException', message: expect.stringContaining('not managed') as unknown });
    await sim.ok('DELETE', '/admin/code-envs/PYTHON/py-own');
  });

  it('turns jupyter support on and off, lists no usages, and deletes', async () => {
    await sim.ok('POST', '/admin/code-envs/PYTHON/py-a/jupyter?active=False');
    expect(((await sim.ok<Json>('GET', '/admin/code-envs/PYTHON/py-a')).desc as Json).installJupyterSupport).toBe(false);
    expect(await sim.ok('GET', '/admin/code-envs/PYTHON/py-a/usages')).toEqual([]);
    const deleted = await sim.ok<{ messages: Messages }>('DELETE', '/admin/code-envs/PYTHON/py-a');
    expect(deleted.messages.error).toBe(false);
    const gone = await sim.call('GET', '/admin/code-envs/PYTHON/py-a');
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ errorType: 'com.dataiku.dip.server.controllers.NotFoundException' });
    expect((await sim.call('DELETE', '/admin/code-envs/PYTHON/py-a')).status).toBe(404);
  });

  it('answers 403 with DSS error body to a key that is not an administrator', async () => {
    for (const [method, url] of [
      ['GET', '/admin/code-envs/'],
      ['POST', '/admin/code-envs/PYTHON/w'],
      ['GET', '/admin/code-envs/PYTHON/w'],
      ['PUT', '/admin/code-envs/PYTHON/w'],
      ['POST', '/admin/code-envs/PYTHON/w/packages'],
      ['DELETE', '/admin/code-envs/PYTHON/w'],
    ] as const) {
      const refused = await sim.call(method, url, method === 'GET' || method === 'DELETE' ? undefined : { deploymentMode: 'DESIGN_MANAGED' }, { key: WRITER });
      expect(refused.status, `${method} ${url}`).toBe(403);
      expect(refused.json).toMatchObject({ errorType: 'com.dataiku.dip.exceptions.DKUSecurityException' });
    }
  });

  it('persists the envs with the rest of the state', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-code-envs-'));
    try {
      const stateFile = path.join(dir, 'state.json');
      const first = await startTestSimulator({ stateFile });
      await first.ok('POST', '/admin/code-envs/R/r-kept', { deploymentMode: 'DESIGN_MANAGED' });
      await first.close();
      const second = await startTestSimulator({ stateFile });
      try {
        expect(await second.ok('GET', '/admin/code-envs/R/r-kept')).toMatchObject({ envLang: 'R', envName: 'r-kept' });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
