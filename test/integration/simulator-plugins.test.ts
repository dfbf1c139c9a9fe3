// The simulator's `/plugins/` routes, as DSS serves them to Dataiku's official client: list, install from the store,
// from Git, from a zip upload (raw or multipart), updates, settings, the plugin code env, uninstall; futures where
// DSS answers with one; admin only; DSS's error shape for unknown plugins and bad uploads.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { multipartUpload, pluginZip } from '../fixtures/plugins/archives.js';
import { useSimulators, type TestSimulator } from '../helpers/simulator.js';

const start = useSimulators();
const WRITER = 'writer-key';
const GEO_URL = 'https://git.example.com/dss/geo-tools.git';

interface Future {
  jobId: string;
  hasResult?: boolean;
  result?: Record<string, unknown>;
}

/** Polls a future as the official client does; answers its result, or the error status and body. */
async function waitFor(sim: TestSimulator, started: Future): Promise<{ result?: Record<string, unknown>; status?: number; error?: unknown }> {
  for (let i = 0; i < 200; i++) {
    const polled = await sim.call<Future>('GET', `/futures/${started.jobId}?peek=false`);
    if (polled.status >= 400) return { status: polled.status, error: polled.json };
    if (polled.json.hasResult === true) return { result: polled.json.result ?? {} };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the future never ended');
}

async function installFromStore(sim: TestSimulator, id: string) {
  return waitFor(sim, await sim.ok<Future>('POST', '/plugins/actions/installFromStore', { pluginId: id }));
}

describe('/plugins/', () => {
  it('installs a store plugin at the store version through a future, and lists it as the reference shows', async () => {
    const sim = await start();
    expect(await sim.ok('GET', '/plugins/')).toEqual([]);
    const done = await installFromStore(sim, 'googlesheets');
    expect(done.result).toMatchObject({ pluginId: 'googlesheets', pluginDesc: { id: 'googlesheets', version: '1.3.0', codeEnvSpec: { envLang: 'PYTHON' } } });
    expect(await sim.ok('GET', '/plugins')).toEqual([
      { id: 'googlesheets', version: '1.3.0', isDev: false, meta: { label: 'Google Sheets', description: 'Read and write Google Sheets' } },
    ]);
    const settings = await sim.ok<Record<string, unknown>>('GET', '/plugins/googlesheets/settings');
    expect(settings).toMatchObject({
      config: {},
      presets: [],
      parameterSets: [{ name: 'oauth-credentials', type: 'googlesheets_oauth-credentials' }],
      accessibleParameterSetDescs: [{ id: 'oauth-credentials', elementType: 'googlesheets_oauth-credentials' }],
    });
  });

  it('fails the future of a plugin the store does not know, and refuses a second install', async () => {
    const sim = await start();
    const unknown = await installFromStore(sim, 'no-such-plugin');
    expect(unknown.status).toBe(500);
    expect(unknown.error).toMatchObject({ message: expect.stringContaining('Plugin not found in the store: no-such-plugin') as unknown });
    await installFromStore(sim, 'timeseries-preparation');
    const again = await sim.call('POST', '/plugins/actions/installFromStore', { pluginId: 'timeseries-preparation' });
    expect(again.status).toBe(400);
    expect(again.json).toMatchObject({ errorType: 'java.lang.IllegalArgumentException', message: 'Plugin already installed: timeseries-preparation' });
  });

  it('installs from Git at a ref and a subpath, fails on an unknown repository or ref, and updates to another ref', async () => {
    const sim = await start();
    const badRepo = await waitFor(sim, await sim.ok<Future>('POST', '/plugins/actions/installFromGit', { gitRepositoryUrl: 'https://git.example.com/x.git', gitCheckout: 'main' }));
    expect(badRepo.error).toMatchObject({ message: expect.stringContaining('Failed to clone Git repository https://git.example.com/x.git') as unknown });
    const badRef = await waitFor(sim, await sim.ok<Future>('POST', '/plugins/actions/installFromGit', { gitRepositoryUrl: GEO_URL, gitCheckout: 'v9' }));
    expect(badRef.error).toMatchObject({ message: expect.stringContaining("Failed to checkout 'v9'") as unknown });
    const ok = await waitFor(sim, await sim.ok<Future>('POST', '/plugins/actions/installFromGit', { gitRepositoryUrl: GEO_URL, gitCheckout: 'v1.0.0', gitSubpath: 'plugin' }));
    expect(ok.result).toMatchObject({ pluginId: 'geo-tools' });
    expect(await sim.ok('GET', '/plugins/')).toMatchObject([{ id: 'geo-tools', version: '1.0.0' }]);
    await waitFor(sim, await sim.ok<Future>('POST', '/plugins/geo-tools/actions/updateFromGit', { gitRepositoryUrl: GEO_URL, gitCheckout: 'v1.1.0', gitSubpath: null }));
    expect(await sim.ok('GET', '/plugins/')).toMatchObject([{ id: 'geo-tools', version: '1.1.0' }]);
  });

  it('installs an uploaded zip (raw or multipart, plugin.json at the root or in one folder) and refuses what is not a plugin zip', async () => {
    const sim = await start();
    const raw = await sim.call('POST', '/plugins/actions/installFromZip', undefined, { rawBody: pluginZip('alpha', '0.1.0'), headers: { 'content-type': 'application/octet-stream' } });
    expect(raw.status).toBe(200);
    const form = multipartUpload(pluginZip('beta', '2.0.0', { folder: 'beta-plugin' }));
    const started = await sim.ok<Future>('POST', '/plugins/actions/future/installFromZip', undefined, { rawBody: form.body, headers: { 'content-type': form.contentType } });
    expect((await waitFor(sim, started)).result).toMatchObject({ pluginId: 'beta', pluginDesc: { version: '2.0.0' } });
    expect((await sim.ok<{ id: string; version: string }[]>('GET', '/plugins/')).map((p) => `${p.id}@${p.version}`)).toEqual(['alpha@0.1.0', 'beta@2.0.0']);

    for (const [body, message] of [
      [Buffer.from('not a zip at all'), 'Invalid plugin archive: the file is not a zip archive'],
      [pluginZip('x', '1', { descriptor: { version: undefined } }), 'Invalid plugin archive: the file has a plugin.json without a `version`'],
    ] as const) {
      const refused = await sim.call('POST', '/plugins/actions/installFromZip', undefined, { rawBody: body, headers: { 'content-type': 'application/octet-stream' } });
      expect(refused.status).toBe(400);
      expect(refused.json).toEqual({ errorType: 'java.lang.IllegalArgumentException', message, detailedMessage: message });
    }
    const wrongId = await sim.call('POST', '/plugins/alpha/actions/updateFromZip', undefined, { rawBody: pluginZip('beta', '3.0.0'), headers: { 'content-type': 'application/octet-stream' } });
    expect(wrongId.status).toBe(400);
    expect(wrongId.json).toMatchObject({ message: 'The archive holds plugin beta, not alpha' });
  });

  it('derives parameter sets and the code env of an uploaded plugin from its files, as DSS does', async () => {
    const sim = await start();
    const zip = pluginZip('gamma', '1.0.0', {
      folder: 'gamma',
      files: {
        'parameter-sets/endpoint/parameter-set.json': JSON.stringify({ meta: { label: 'Endpoint' }, params: [{ name: 'url', type: 'STRING' }, { name: 'token', type: 'PASSWORD' }] }),
        'code-env/python/desc.json': JSON.stringify({ acceptedPythonInterpreters: ['PYTHON311'] }),
      },
    });
    await sim.ok('POST', '/plugins/actions/installFromZip', undefined, { rawBody: zip, headers: { 'content-type': 'application/octet-stream' } });
    expect(await sim.ok('GET', '/plugins/gamma/settings')).toMatchObject({
      parameterSets: [{ name: 'endpoint', type: 'gamma_endpoint' }],
      accessibleParameterSetDescs: [{ id: 'endpoint', elementType: 'gamma_endpoint', desc: { meta: { label: 'Endpoint' }, params: [{ name: 'url' }, { name: 'token' }] } }],
    });
    const refused = await waitFor(sim, await sim.ok<Future>('POST', '/plugins/gamma/code-env/actions/create', { pythonInterpreter: 'PYTHON39' }));
    expect(refused.error).toMatchObject({ message: expect.stringContaining('Python interpreter PYTHON39 is not accepted by plugin gamma (accepted: PYTHON311)') as unknown });
    const created = await waitFor(sim, await sim.ok<Future>('POST', '/plugins/gamma/code-env/actions/create', { pythonInterpreter: 'PYTHON311' }));
    expect(created.result).toMatchObject({ envName: 'plugin_gamma_managed' });
  });

  it('keeps upload caps: an archive over the node limit gets 413 and installs nothing', async () => {
    const sim = await start({ maxBodyBytes: 4096 });
    const big = pluginZip('big', '1.0.0', { files: { 'resource/blob.txt': Array.from({ length: 4000 }, (_, i) => String(i * 7919)).join(',') } });
    expect(big.length).toBeGreaterThan(4096);
    const refused = await sim.call('POST', '/plugins/actions/installFromZip', undefined, { rawBody: big, headers: { 'content-type': 'application/octet-stream' } });
    expect(refused.status).toBe(413);
    expect(await sim.ok('GET', '/plugins/')).toEqual([]);
  });

  it('saves settings with a POST, keeping fields DSS does not know, and refuses a preset of an unknown parameter set', async () => {
    const sim = await start();
    await installFromStore(sim, 'googlesheets');
    const settings = await sim.ok<Record<string, unknown>>('GET', '/plugins/googlesheets/settings');
    const preset = { name: 'team', type: 'googlesheets_oauth-credentials', config: { clientId: 'abc', clientSecret: 's3cr3t' }, pluginConfig: {}, defaultPermission: { use: true }, permissions: [] };
    await sim.ok('POST', '/plugins/googlesheets/settings', { ...settings, presets: [preset], undocumented: { kept: [1, 2] } });
    expect(await sim.ok('GET', '/plugins/googlesheets/settings')).toMatchObject({ presets: [preset], undocumented: { kept: [1, 2] } });
    const refused = await sim.call('POST', '/plugins/googlesheets/settings', { presets: [{ name: 'x', type: 'nope' }] });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ message: 'Preset x: unknown parameter set type nope for plugin googlesheets' });
  });

  it('creates the plugin code env in a future that names it, once', async () => {
    const sim = await start();
    await installFromStore(sim, 'timeseries-preparation');
    const body = { deploymentMode: 'PLUGIN_MANAGED', conda: false, pythonInterpreter: 'PYTHON310' };
    const created = await waitFor(sim, await sim.ok<Future>('POST', '/plugins/timeseries-preparation/code-env/actions/create', body));
    expect(created.result).toMatchObject({ envName: 'plugin_timeseries-preparation_managed' });
    const twice = await waitFor(sim, await sim.ok<Future>('POST', '/plugins/timeseries-preparation/code-env/actions/create', body));
    expect(twice.error).toMatchObject({ message: expect.stringContaining('Code env plugin_timeseries-preparation_managed already exists') as unknown });
    await installFromStore(sim, 'tableau-hyper-export');
    const none = await sim.call('POST', '/plugins/tableau-hyper-export/code-env/actions/create', body);
    expect(none.status).toBe(400);
    expect(none.json).toMatchObject({ message: 'Plugin tableau-hyper-export has no code env to create' });
  });

  it('uninstalls in a future; unknown plugins answer 404 with DSS error body', async () => {
    const sim = await start();
    await installFromStore(sim, 'tableau-hyper-export');
    expect((await waitFor(sim, await sim.ok<Future>('POST', '/plugins/tableau-hyper-export/actions/delete', { force: false }))).result).toBeDefined();
    expect(await sim.ok('GET', '/plugins/')).toEqual([]);
    for (const [method, route] of [
      ['GET', '/plugins/tableau-hyper-export/settings'],
      ['POST', '/plugins/tableau-hyper-export/actions/delete'],
      ['POST', '/plugins/nope/actions/updateFromStore'],
      ['POST', '/plugins/nope/code-env/actions/create'],
    ] as const) {
      const missing = await sim.call(method, route, method === 'POST' ? {} : undefined);
      expect(missing.status).toBe(404);
      expect(missing.json).toMatchObject({ errorType: 'com.dataiku.dip.server.controllers.NotFoundException' });
    }
  });

  it('answers 403 to a key that is not an administrator', async () => {
    const sim = await start({ apiKeys: [{ key: WRITER, login: 'writer', projects: { CHURN: ['ADMIN'] }, global: ['WRITE_CONF'] }] });
    for (const [method, route] of [
      ['GET', '/plugins/'],
      ['POST', '/plugins/actions/installFromStore'],
      ['POST', '/plugins/actions/installFromZip'],
      ['GET', '/plugins/googlesheets/settings'],
    ] as const) {
      const refused = await sim.call(method, route, method === 'POST' ? { pluginId: 'googlesheets' } : undefined, { key: WRITER });
      expect(refused.status).toBe(403);
      expect(refused.json).toMatchObject({ errorType: 'com.dataiku.dip.exceptions.DKUSecurityException' });
    }
    expect(await sim.ok('GET', '/plugins/')).toEqual([]);
  });

  it('persists installed plugins with secret preset values sealed in the state file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-plugins-'));
    try {
      const stateFile = path.join(dir, 'state.json');
      const first = await start({ stateFile });
      await installFromStore(first, 'googlesheets');
      const settings = await first.ok<Record<string, unknown>>('GET', '/plugins/googlesheets/settings');
      const preset = { name: 'p', type: 'googlesheets_oauth-credentials', config: { clientSecret: 'do-not-store-me' } };
      await first.ok('POST', '/plugins/googlesheets/settings', { ...settings, presets: [preset] });
      await first.close();
      const { readFileSync } = await import('node:fs');
      expect(readFileSync(stateFile, 'utf8')).not.toContain('do-not-store-me');
      const second = await start({ stateFile });
      expect(await second.ok('GET', '/plugins/googlesheets/settings')).toMatchObject({ presets: [preset] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
