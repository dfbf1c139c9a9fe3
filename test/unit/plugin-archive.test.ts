// What a plugin archive says about itself (plugin.json at the root or in its one top-level folder, with an id and a
// version), and how an archive a manifest names is read: inside the tree, a regular file, of the declared plugin.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { archiveSha256, readPluginArchive } from '../../src/resources/plugin/plugin-zip.js';
import { readPluginArchiveFile } from '../../src/resources/plugin/source.js';
import { pluginZip } from '../fixtures/plugins/archives.js';

const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-plugin-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const zip = (files: Record<string, string>) => zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])));

describe('readPluginArchive', () => {
  it('reads id and version at the root or in one top-level folder', () => {
    expect(readPluginArchive(pluginZip('geo', '1.2.3'))).toMatchObject({ id: 'geo', version: '1.2.3' });
    expect(readPluginArchive(pluginZip('geo', '1.2.3', { folder: 'geo-main' }))).toMatchObject({ id: 'geo', version: '1.2.3' });
  });

  it('says what is wrong with anything else', () => {
    const cases: [Uint8Array, string][] = [
      [strToU8('plain text'), 'is not a zip archive'],
      [zip({ 'README.md': 'x' }), 'has no plugin.json at its root or in its top-level folder'],
      [zip({ 'a/b/plugin.json': '{}' }), 'has no plugin.json at its root or in its top-level folder'],
      [zip({ 'a/plugin.json': '{"id":"a","version":"1"}', 'b/plugin.json': '{"id":"b","version":"1"}' }), 'has more than one plugin.json (a/plugin.json, b/plugin.json)'],
      [zip({ 'plugin.json': '{nope' }), 'has a plugin.json that is not valid JSON'],
      [zip({ 'plugin.json': '[1]' }), 'has a plugin.json that is not a JSON object'],
      [zip({ 'plugin.json': '{"version":"1"}' }), 'has a plugin.json without an `id`'],
      [zip({ 'plugin.json': '{"id":"x"}' }), 'has a plugin.json without a `version`'],
      [zip({ 'plugin.json': JSON.stringify({ id: 'x', version: '1', pad: 'a'.repeat(300 * 1024) }) }), 'has a plugin.json larger than 262144 bytes'],
    ];
    for (const [bytes, problem] of cases) expect(readPluginArchive(bytes)).toEqual({ problem });
  });

  it('hashes the bytes: the same content gives the same hash, other content another', () => {
    expect(archiveSha256(pluginZip('geo', '1.0.0'))).toBe(archiveSha256(pluginZip('geo', '1.0.0')));
    expect(archiveSha256(pluginZip('geo', '1.0.0'))).not.toBe(archiveSha256(pluginZip('geo', '1.0.1')));
  });
});

describe('readPluginArchiveFile', () => {
  const tree = path.join(dir, 'tree');
  mkdirSync(path.join(tree, 'plugins'), { recursive: true });
  writeFileSync(path.join(tree, 'plugins/geo.zip'), pluginZip('geo', '2.0.0'));
  writeFileSync(path.join(dir, 'outside.zip'), pluginZip('geo', '2.0.0'));
  symlinkSync('geo.zip', path.join(tree, 'plugins/inside-link.zip'));
  symlinkSync(path.join(dir, 'outside.zip'), path.join(tree, 'plugins/outside-link.zip'));
  mkdirSync(path.join(tree, 'plugins/folder.zip'));
  const read = (given: string, id = 'geo') => readPluginArchiveFile({ given, fromDirectory: tree, root: tree, id });

  it('reads an archive inside the tree, also through a link that stays inside', () => {
    expect(read('plugins/geo.zip')).toMatchObject({ version: '2.0.0', file: 'plugins/geo.zip' });
    expect(read('plugins/inside-link.zip')).toMatchObject({ version: '2.0.0' });
  });

  it('refuses a path out, a link out, a directory, a missing file, another plugin', () => {
    expect(read('../outside.zip')).toEqual({ reason: 'is outside the manifests tree; it must name a file inside it' });
    expect(read('plugins/outside-link.zip')).toEqual({ reason: 'leads outside the manifests tree through a symbolic link; it must name a file inside it' });
    expect(read('plugins/folder.zip')).toEqual({ reason: 'is a directory, not a regular file' });
    expect(read('plugins/none.zip')).toMatchObject({ reason: expect.stringMatching(/^does not exist/) as unknown });
    expect(read('plugins/geo.zip', 'other')).toEqual({ reason: 'holds plugin geo, not other' });
    expect(read('')).toEqual({ reason: 'is not a file path' });
  });
});
