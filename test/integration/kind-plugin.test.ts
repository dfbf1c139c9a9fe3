// The Plugin kind against the simulator: install from the store, Git and a zip of the manifests tree, the second
// plan empty and no write, version updates as update actions (old → new), settings and presets merged with
// undeclared fields kept, drift healed, the plugin code env after the plugin, export, listOnNode, delete.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginKind } from '../../src/resources/plugin/kind.js';
import type { ManifestDocument } from '../../src/manifest/types.js';
import { pluginZip } from '../fixtures/plugins/archives.js';
import { applyPlanned, converge, docOf, planUnits, startKindHarness, writesDuring, type KindHarness } from './kind-harness.js';

let h: KindHarness;
let dir: string;
beforeAll(async () => {
  h = await startKindHarness();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-kind-plugin-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

const GEO_URL = 'https://git.example.com/dss/geo-tools.git';
type Settings = Record<string, unknown> & { presets: Record<string, unknown>[]; parameterSets: Record<string, unknown>[] };

const pluginDoc = (id: string, spec: Record<string, unknown>, sensitivePaths: string[] = []) => docOf('Plugin', id, spec, { sensitivePaths });

/** A Plugin document in a manifests tree under the test's directory, with its zip beside it. */
function zipDoc(tree: string, id: string, zip: Buffer | undefined, file = 'plugins/p.zip', spec: Record<string, unknown> = {}): ManifestDocument {
  const root = path.join(dir, tree);
  if (zip) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), zip);
  }
  const doc = docOf('Plugin', id, { source: { zip: { file } }, ...spec }, { file: path.join(root, 'plugin.yaml') });
  return { ...doc, root };
}

async function installed(): Promise<Record<string, string>> {
  const list = await h.sim.ok<{ id: string; version: string }[]>('GET', '/plugins/');
  return Object.fromEntries(list.map((p) => [p.id, p.version]));
}

describe('Plugin from the store', () => {
  it('installs, writes its settings and creates its code env after it; the second plan is empty and writes nothing', async () => {
    const doc = pluginDoc('timeseries-preparation', { source: { store: { version: '2.0.4' } }, config: { mode: 'fast' }, codeEnv: { pythonInterpreter: 'PYTHON310' } });
    const units = pluginKind.units(doc);
    expect(units.map((u) => [u.address, u.dependsOn])).toEqual([
      ['Plugin/timeseries-preparation', []],
      ['Plugin/timeseries-preparation#settings', ['Plugin/timeseries-preparation']],
      ['Plugin/timeseries-preparation#code-env', ['Plugin/timeseries-preparation']],
    ]);
    expect(await converge(h, pluginKind, [doc])).toEqual([]);
    expect((await installed())['timeseries-preparation']).toBe('2.0.4');
    const settings = await h.sim.ok<Settings>('GET', '/plugins/timeseries-preparation/settings');
    expect(settings).toMatchObject({
      config: { mode: 'fast' },
      codeEnvName: 'plugin_timeseries-preparation_managed',
      dssGitops: { source: { source: 'store' }, codeEnv: { pythonInterpreter: 'PYTHON310' } },
    });
    const planned = await planUnits(pluginKind, h.run(), units);
    expect(await writesDuring(h.client, () => applyPlanned(pluginKind, h.run(), planned))).toBe(0);
  });

  it('refuses to plan another interpreter for a code env it created, which DSS does not re-create', async () => {
    const doc = pluginDoc('timeseries-preparation', { source: { store: { version: '2.0.4' } }, codeEnv: { pythonInterpreter: 'PYTHON311' } });
    const [, codeEnv] = await planUnits(pluginKind, h.run(), pluginKind.units(doc));
    expect(codeEnv!.changes).toEqual([expect.objectContaining({ path: 'pythonInterpreter', before: 'PYTHON310', after: 'PYTHON311' })]);
    expect(pluginKind.validateChange!(codeEnv!.unit, codeEnv!.live!, codeEnv!.changes)).toEqual([
      "Plugin/timeseries-preparation#code-env: pythonInterpreter changed, but DSS does not re-create a plugin's code env; " +
        'delete plugin_timeseries-preparation_managed in DSS to have it created anew with the declared settings',
    ]);
  });

  it('plans a new store version as an update that shows old → new, and applies it from the store', async () => {
    // An older googlesheets, installed by hand from an archive.
    await h.sim.ok('POST', '/plugins/actions/installFromZip', undefined, { rawBody: pluginZip('googlesheets', '1.2.0'), headers: { 'content-type': 'application/octet-stream' } });
    const [unit] = pluginKind.units(pluginDoc('googlesheets', { source: { store: { version: '1.3.0' } } }));
    const [planned] = await planUnits(pluginKind, h.run(), [unit!]);
    expect(planned!.changes).toEqual([expect.objectContaining({ path: 'version', kind: 'modify', before: '1.2.0', after: '1.3.0' })]);
    expect(pluginKind.describeUpdate!(unit!, planned!.live!)).toEqual(['update from the store: 1.2.0 → 1.3.0']);
    await applyPlanned(pluginKind, h.run(), [planned!]);
    expect((await installed()).googlesheets).toBe('1.3.0');
    expect((await planUnits(pluginKind, h.run(), [unit!]))[0]!.changes).toEqual([]);
  });

  it('resolves an install whose answer was lost by listing the plugins', async () => {
    const [unit] = pluginKind.units(pluginDoc('tableau-hyper-export', { source: { store: { version: '0.5.1' } } }));
    // A slow job: the start is sent again while the first install still runs, and that second job then fails
    // as already installed.
    const config = await h.sim.control<{ futureStepMs: number }>('GET', '/deployer/config');
    await h.sim.control('PUT', '/deployer/config', { futureStepMs: 400 });
    h.sim.setFaults([{ kind: 'lost-response', method: 'POST', route: '/plugins/actions/installFromStore', times: 1 }]);
    const before = h.sim.stats().byRoute['POST /plugins/actions/installFromStore'] ?? 0;
    try {
      await pluginKind.create(h.run(), unit!);
    } finally {
      h.sim.setFaults([]);
      await h.sim.control('PUT', '/deployer/config', { futureStepMs: config.futureStepMs });
    }
    expect(h.sim.stats().faults?.['lost-response']).toBe(1);
    expect((h.sim.stats().byRoute['POST /plugins/actions/installFromStore'] ?? 0) - before).toBe(2);
    expect((await installed())['tableau-hyper-export']).toBe('0.5.1');
    await pluginKind.delete!(h.run(), 'Plugin/tableau-hyper-export');
  });

  it('fails an install whose declared version is not the store version, saying which one DSS installed', async () => {
    const [unit] = pluginKind.units(pluginDoc('tableau-hyper-export', { source: { store: { version: '0.4.0' } } }));
    await expect(pluginKind.create(h.run(), unit!)).rejects.toThrow(
      "Plugin/tableau-hyper-export: the store installed version 0.5.1, not 0.4.0 as declared (DSS installs the store's current version): declare 0.5.1, or install 0.4.0 from Git or a zip",
    );
    await pluginKind.delete!(h.run(), 'Plugin/tableau-hyper-export');
    expect((await installed())['tableau-hyper-export']).toBeUndefined();
  });
});

describe('Plugin from Git', () => {
  it('shows the progress of the install future under the plugin address', async () => {
    const messages: string[] = [];
    const ctx = { ...h.run(), progress: (address: string, message: string) => messages.push(`${address}: ${message}`) };
    const [unit] = pluginKind.units(pluginDoc('geo-tools-progress', { source: { git: { gitRepositoryUrl: GEO_URL, gitCheckout: 'main' } } }));
    // The checkout holds geo-tools, not geo-tools-progress: the install runs, then fails naming what DSS installed.
    await expect(pluginKind.create(ctx, unit!)).rejects.toThrow(
      `Plugin/geo-tools-progress: Git ${GEO_URL} at main holds plugin geo-tools, not geo-tools-progress (DSS installed geo-tools; it is not managed by this manifest)`,
    );
    expect(messages[0]).toBe(`Plugin/geo-tools-progress: installing from Git ${GEO_URL} at main`);
    await pluginKind.delete!(h.run(), 'Plugin/geo-tools');
  });

  it('installs a checkout, then plans a new ref as an update and applies it', async () => {
    const v1 = pluginDoc('geo-tools', { source: { git: { gitRepositoryUrl: GEO_URL, gitCheckout: 'v1.0.0', gitSubpath: 'plugin', version: '1.0.0' } } });
    expect(await converge(h, pluginKind, [v1])).toEqual([]);
    expect((await installed())['geo-tools']).toBe('1.0.0');
    const v2 = pluginDoc('geo-tools', { source: { git: { gitRepositoryUrl: GEO_URL, gitCheckout: 'v1.1.0', gitSubpath: 'plugin', version: '1.1.0' } } });
    const [planned] = await planUnits(pluginKind, h.run(), pluginKind.units(v2));
    expect(planned!.changes.map((c) => `${c.path}: ${String(c.before)} → ${String(c.after)}`)).toEqual(['gitCheckout: v1.0.0 → v1.1.0', 'version: 1.0.0 → 1.1.0']);
    expect(pluginKind.describeUpdate!(planned!.unit, planned!.live!)).toEqual([`update from Git ${GEO_URL} at v1.1.0: 1.0.0 → 1.1.0`]);
    expect(await converge(h, pluginKind, [v2])).toEqual([]);
    expect((await installed())['geo-tools']).toBe('1.1.0');
  });

  it('updates the plugin code env after an update of a plugin that declares it', async () => {
    const at = (ref: string) => pluginDoc('geo-tools', { source: { git: { gitRepositoryUrl: GEO_URL, gitCheckout: ref } }, codeEnv: {} });
    expect(await converge(h, pluginKind, [at('v1.0.0')])).toEqual([]);
    const [main] = pluginKind.units(at('main'));
    const live = await pluginKind.read(h.run(), main!);
    let result: unknown;
    // The update from Git, the recorded source, the code env update.
    expect(await writesDuring(h.client, async () => (result = await pluginKind.update(h.run(), main!, live!)))).toBe(3);
    expect(result).toEqual({ notes: ['code env plugin_geo-tools_managed updated'] });
    expect((await installed())['geo-tools']).toBe('1.1.0');
  });

  it('compares the version alone, with a notice, when DSS kept no record of the source', async () => {
    const doc = pluginDoc('geo-tools', { source: { git: { gitRepositoryUrl: GEO_URL, gitCheckout: 'v1.0.0', version: '1.1.0' } } });
    const settings = await h.sim.ok<Record<string, unknown>>('GET', '/plugins/geo-tools/settings');
    const { dssGitops: _record, ...dropped } = settings;
    await h.sim.ok('POST', '/plugins/geo-tools/settings', dropped);
    const [planned] = await planUnits(pluginKind, h.run(), pluginKind.units(doc));
    expect(planned!.changes).toEqual([]);
    expect(planned!.live?.notices).toEqual(['Plugin/geo-tools: DSS keeps no record of where this plugin was installed from; only its version is compared']);
    await h.sim.ok('POST', '/plugins/geo-tools/settings', settings);
  });

  it('fails a checkout that does not exist with the error of DSS future', async () => {
    const [unit] = pluginKind.units(pluginDoc('geo-tools-x', { source: { git: { gitRepositoryUrl: GEO_URL, gitCheckout: 'nope' } } }));
    await expect(pluginKind.create(h.run(), unit!)).rejects.toThrow("Failed to checkout 'nope'");
  });
});

describe('Plugin from a zip in the manifests tree', () => {
  it('installs the archive, compares its content hash, and updates from a new archive', async () => {
    const first = zipDoc('zip-tree', 'alpha', pluginZip('alpha', '0.1.0'));
    expect(await converge(h, pluginKind, [first])).toEqual([]);
    expect((await installed()).alpha).toBe('0.1.0');
    // The same archive moved: nothing to do.
    const moved = zipDoc('zip-tree', 'alpha', pluginZip('alpha', '0.1.0'), 'elsewhere/alpha.zip');
    expect((await planUnits(pluginKind, h.run(), pluginKind.units(moved)))[0]!.changes).toEqual([]);
    // New bytes, same version: an update, by hash.
    const rebuilt = zipDoc('zip-tree', 'alpha', pluginZip('alpha', '0.1.0', { files: { 'README.md': 'fixed' } }));
    const [planned] = await planUnits(pluginKind, h.run(), pluginKind.units(rebuilt));
    expect(planned!.changes.map((c) => c.path)).toEqual(['sha256']);
    const newer = zipDoc('zip-tree', 'alpha', pluginZip('alpha', '0.2.0'));
    expect(await converge(h, pluginKind, [newer])).toEqual([]);
    expect((await installed()).alpha).toBe('0.2.0');
  });

  it('refuses an archive of another plugin or one that is not a zip, at the manifest line, before any request', () => {
    expect(() => pluginKind.units(zipDoc('bad-tree', 'alpha', pluginZip('beta', '1.0.0')))).toThrow(
      `${path.join(dir, 'bad-tree', 'plugin.yaml')}:7:3: cannot read the plugin archive plugins/p.zip (it holds plugin beta, not alpha)`,
    );
    expect(() => pluginKind.units(zipDoc('bad-tree', 'alpha', Buffer.from('PK no zip')))).toThrow('(it is not a zip archive)');
  });
});

describe('Plugin settings', () => {
  it('merges presets and parameter sets by name, keeps what is not declared, masks secrets, heals drift', async () => {
    const secret = 'oauth-secret-value-17';
    const preset = { name: 'team', type: 'googlesheets_oauth-credentials', config: { clientId: 'abc', clientSecret: secret }, defaultPermission: { use: true } };
    const doc = pluginDoc(
      'googlesheets',
      { source: { store: { version: '1.3.0' } }, presets: [preset], parameterSets: [{ name: 'oauth-credentials', defaultPermission: { definableInline: false } }] },
      ['/spec/presets/0/config/clientSecret'],
    );
    expect(await converge(h, pluginKind, [doc])).toEqual([]);
    // An admin adds a preset and an undocumented field in DSS, and changes the declared preset.
    const live = await h.sim.ok<Settings>('GET', '/plugins/googlesheets/settings');
    const other = { name: 'by-hand', type: 'googlesheets_oauth-credentials', config: { clientId: 'x' } };
    const changed = { ...live, presets: [{ ...live.presets[0], config: { clientId: 'abc', clientSecret: 'changed-in-dss' } }, other], extra: { kept: true } };
    await h.sim.ok('POST', '/plugins/googlesheets/settings', changed);
    const units = pluginKind.units(doc);
    const planned = await planUnits(pluginKind, h.run(), units);
    const drift = planned.flatMap((p) => p.changes);
    expect(drift).toEqual([expect.objectContaining({ path: 'presets[name=team].config.clientSecret', sensitive: true })]);
    expect(JSON.stringify(drift)).not.toContain('changed-in-dss');
    expect(JSON.stringify(drift)).not.toContain(secret);
    await applyPlanned(pluginKind, h.run(), planned);
    const healed = await h.sim.ok<Settings>('GET', '/plugins/googlesheets/settings');
    expect(healed.presets).toEqual([{ ...live.presets[0], config: { clientId: 'abc', clientSecret: secret } }, other]);
    expect(healed.extra).toEqual({ kept: true });
    expect(healed.parameterSets[0]).toMatchObject({ name: 'oauth-credentials', defaultPermission: { definableInline: false, definableAtProjectLevel: true } });
    expect((await planUnits(pluginKind, h.run(), units)).flatMap((p) => p.changes)).toEqual([]);
  });
});

describe('Plugin on the node', () => {
  it('lists every installed plugin, keeps plugins on prune without opt-in, and uninstalls on delete', async () => {
    expect(pluginKind.ownership).toBe('instance');
    expect(pluginKind.pruneNeedsOptIn).toBe('keep');
    const ids = await pluginKind.listOnNode!(h.client);
    expect(ids).toEqual(expect.arrayContaining(['alpha', 'geo-tools', 'googlesheets', 'timeseries-preparation']));
    await pluginKind.delete!(h.run(), 'Plugin/alpha');
    await pluginKind.delete!(h.run(), 'Plugin/alpha');
    expect(await pluginKind.listOnNode!(h.client)).not.toContain('alpha');
  });

  it('exports store and Git plugins with their settings; the export plans no change', async () => {
    expect(await converge(h, pluginKind, [zipDoc('gamma-tree', 'gamma', pluginZip('gamma', '1.0.0'))])).toEqual([]);
    const ctx = h.run();
    const scope = { projectKeys: [], allProjects: false, deployer: false, platform: true };
    expect(await pluginKind.listForExport!(ctx, { ...scope, platform: false })).toEqual([]);
    const stubs = await pluginKind.listForExport!(ctx, scope);
    const exported = await Promise.all(
      stubs.map(async (stub) => {
        const units = pluginKind.units(stub);
        const live = await Promise.all(units.map(async (unit) => ({ unit, live: await pluginKind.read(ctx, unit) })));
        const found = live.flatMap((u) => (u.live ? [{ unit: u.unit, live: u.live }] : []));
        return { name: stub.metadata.name, ...pluginKind.exportSpec!(stub, found) };
      }),
    );
    const geo = exported.find((e) => e.name === 'geo-tools');
    expect(geo?.spec.source).toEqual({ git: { gitRepositoryUrl: GEO_URL, gitCheckout: 'main' } });
    // A plugin installed from a zip: its archive is not in DSS to export.
    expect(exported.map((e) => e.name)).not.toContain('gamma');
    const sheets = exported.find((e) => e.name === 'googlesheets');
    expect(sheets?.spec.source).toEqual({ store: { version: '1.3.0' } });
    expect(JSON.stringify(sheets)).not.toContain('oauth-secret-value-17');
    expect(sheets?.secrets?.map((s) => s.name)).toEqual(['GOOGLESHEETS_TEAM_CONFIG_CLIENT_SECRET']);
    const ts = exported.find((e) => e.name === 'timeseries-preparation');
    expect(ts?.spec).toMatchObject({ source: { store: { version: '2.0.4' } }, codeEnv: { pythonInterpreter: 'PYTHON310' } });
    // Read back as manifests (the secret given back by the environment): nothing to change.
    const docs = exported.map((e) => {
      const spec = JSON.parse(JSON.stringify(e.spec).replace('${secret:GOOGLESHEETS_TEAM_CONFIG_CLIENT_SECRET}', 'oauth-secret-value-17')) as Record<string, unknown>;
      return pluginDoc(e.name, spec);
    });
    const planned = await planUnits(pluginKind, h.run(), docs.flatMap((d) => pluginKind.units(d)));
    expect(planned.filter((p) => p.live === undefined || p.changes.length > 0)).toEqual([]);
  });
});
