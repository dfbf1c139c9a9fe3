// The Plugin kind's pure parts: the units a document is planned as, what each compares, and the plan notes.

import { describe, expect, it } from 'vitest';
import { pluginKind } from '../../src/resources/plugin/kind.js';
import { docOf } from './kind-docs.js';

const GIT = { gitRepositoryUrl: 'https://git.example.com/dss/geo-tools.git', gitCheckout: 'v1.1.0' };

describe('Plugin units', () => {
  it('is one unit when only the source is declared, comparing the store version', () => {
    const units = pluginKind.units(docOf('Plugin', 'googlesheets', { source: { store: { version: '1.3.0' } } }));
    expect(units.map((u) => ({ address: u.address, desired: u.desired, dependsOn: u.dependsOn }))).toEqual([
      { address: 'Plugin/googlesheets', desired: { source: 'store', version: '1.3.0' }, dependsOn: [] },
    ]);
  });

  it('compares a zip by the hash and version loading completed its spec with, without reading the file', () => {
    const sha256 = 'c'.repeat(64);
    const doc = docOf('Plugin', 'geo-tools', { source: { zip: { file: 'no/such/archive.zip', sha256, version: '1.2.0' } } });
    expect(pluginKind.units(doc)[0]!.desired).toEqual({ source: 'zip', version: '1.2.0', sha256 });
  });

  it('compares a Git checkout by its coordinates, and its version only when declared', () => {
    const [bare] = pluginKind.units(docOf('Plugin', 'geo-tools', { source: { git: GIT } }));
    expect(bare!.desired).toEqual({ source: 'git', ...GIT });
    const [full] = pluginKind.units(docOf('Plugin', 'geo-tools', { source: { git: { ...GIT, gitSubpath: 'plugin', version: '1.1.0' } } }));
    expect(full!.desired).toEqual({ source: 'git', ...GIT, gitSubpath: 'plugin', version: '1.1.0' });
  });

  it('plans settings and the code env as units after the plugin, with secrets of presets sensitive', () => {
    const doc = docOf(
      'Plugin',
      'googlesheets',
      { source: { store: { version: '1.3.0' } }, config: { a: 1 }, presets: [{ name: 'team', config: { clientSecret: 'x' } }], codeEnv: { conda: true } },
      { sensitivePaths: ['/spec/presets/0/config/clientSecret'] },
    );
    const [, settings, codeEnv] = pluginKind.units(doc);
    expect(settings).toMatchObject({
      address: 'Plugin/googlesheets#settings',
      block: 'settings',
      desired: { config: { a: 1 }, presets: [{ name: 'team', config: { clientSecret: 'x' } }] },
      dependsOn: ['Plugin/googlesheets'],
    });
    expect(settings!.policy.sensitive).toEqual(['/presets/0/config/clientSecret']);
    expect(settings!.policy.keyedLists).toMatchObject({ '/presets': ['name'], '/parameterSets': ['name'] });
    expect(codeEnv).toMatchObject({ address: 'Plugin/googlesheets#code-env', block: 'code-env', desired: { conda: true }, dependsOn: ['Plugin/googlesheets'] });
  });
});

describe('Plugin plan notes', () => {
  it('say where the update comes from and the version before and after', () => {
    const [store] = pluginKind.units(docOf('Plugin', 'googlesheets', { source: { store: { version: '1.3.0' } } }));
    expect(pluginKind.describeUpdate!(store!, { view: { version: '1.2.0' }, raw: {} })).toEqual(['update from the store: 1.2.0 → 1.3.0']);
    const [git] = pluginKind.units(docOf('Plugin', 'geo-tools', { source: { git: GIT } }));
    expect(pluginKind.describeUpdate!(git!, { view: { gitCheckout: 'v1.0.0' }, raw: {} })).toEqual([`update from Git ${GIT.gitRepositoryUrl} at v1.1.0`]);
  });
});
