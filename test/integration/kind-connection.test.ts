// The Connection kind against the simulator: create from nothing, no second write, each managed field updated,
// undeclared params and fields kept byte for byte, a change made in DSS seen and healed, credentials kept across
// writes and rotated when the manifest says so, export → plan empty, delete and listing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionKind } from '../../src/resources/connection/kind.js';
import { SecretRegistry, scrubSecrets, withRunSecrets } from '../../src/base/secrets.js';
import type { ManifestDocument } from '../../src/manifest/types.js';
import { applyPlanned, converge, docOf, planUnits, startKindHarness, writesDuring, type KindHarness } from './kind-harness.js';

type Json = Record<string, unknown>;
const PASSWORD = 'pg-Secret-4711';

let h: KindHarness;
beforeAll(async () => {
  h = await startKindHarness();
});
afterAll(() => h.close());

function pgDoc(name: string, spec: Json = {}, password = PASSWORD, annotations?: Record<string, string>): ManifestDocument {
  const doc = docOf(
    'Connection',
    name,
    { type: 'PostgreSQL', params: { host: 'db.internal', db: 'dwh', user: 'dss', password }, usableBy: 'ALLOWED', allowedGroups: ['analysts'], ...spec },
    { sensitivePaths: ['/spec/params/password'] },
  );
  if (annotations) doc.metadata.annotations = annotations;
  return doc;
}

const get = (name: string) => h.sim.ok<Json>('GET', `/admin/connections/${name}`);
const storedPassword = async (name: string) => ((await h.sim.ok<Json>('GET', `/connections/${name}/info`)).resolvedBasicCredential as Json).password;

async function plan(docs: ManifestDocument[]) {
  return planUnits(connectionKind, h.run(), docs.flatMap((d) => connectionKind.units(d)));
}

describe('Connection', () => {
  it('reads a missing connection as absent', async () => {
    expect(await connectionKind.read(h.run(), connectionKind.units(pgDoc('nowhere'))[0]!)).toBeUndefined();
  });

  it('creates from nothing with every managed field, then plans no change and writes nothing', async () => {
    const doc = pgDoc('created', {
      detailsReadability: { readableBy: 'ALLOWED', allowedGroups: ['dba'] },
      allowWrite: false,
      allowManagedFolders: true,
      maxActivities: 3,
      credentialsMode: 'GLOBAL',
    });
    expect(await converge(h, connectionKind, [doc])).toEqual([]);
    const live = await get('created');
    expect(live).toMatchObject({
      type: 'PostgreSQL',
      params: { host: 'db.internal', db: 'dwh', user: 'dss', port: 5432 },
      usableBy: 'ALLOWED',
      allowedGroups: ['analysts'],
      detailsReadability: { readableBy: 'ALLOWED', allowedGroups: ['dba'] },
      allowWrite: false,
      allowManagedFolders: true,
      maxActivities: 3,
    });
    expect(JSON.stringify(live)).not.toContain(PASSWORD);
    expect(await storedPassword('created')).toBe(PASSWORD);
    const again = await plan([doc]);
    expect(again.map((p) => p.changes)).toEqual([[]]);
    expect(again[0]?.live?.notices?.[0]).toContain('is write-only (DSS returns it encrypted)');
    expect(await writesDuring(h.client, () => applyPlanned(connectionKind, h.run(), again))).toBe(0);
  });

  it('updates each managed field, keeping undeclared params, fields and the stored password byte for byte', async () => {
    await converge(h, connectionKind, [pgDoc('updated')]);
    const before = await get('updated');
    const extras = { ...before, params: { ...(before.params as Json), sslMode: 'require', properties: [{ name: 'x', value: '1' }] }, customField: { kept: [1, { a: null }] } };
    await h.sim.ok('PUT', '/admin/connections/updated', extras);
    const edited = pgDoc('updated', {
      params: { host: 'db2.internal', db: 'dwh', user: 'dss', password: PASSWORD },
      usableBy: 'ALL',
      allowedGroups: ['analysts', 'engineers'],
      detailsReadability: { readableBy: 'ALL' },
      allowWrite: false,
      allowManagedDatasets: false,
      allowManagedFolders: true,
      useGlobalProxy: true,
      credentialsMode: 'PER_USER',
      maxActivities: 7,
      indexingSettings: { indexIndices: true },
    });
    const planned = await plan([edited]);
    expect([...new Set(planned[0]?.changes.map((c) => c.path))].sort()).toEqual([
      'allowManagedDatasets',
      'allowManagedFolders',
      'allowWrite',
      'allowedGroups',
      'credentialsMode',
      'detailsReadability.readableBy',
      'indexingSettings.indexIndices',
      'maxActivities',
      'params.host',
      'usableBy',
      'useGlobalProxy',
    ]);
    expect(await converge(h, connectionKind, [edited])).toEqual([]);
    const after = await get('updated');
    expect(after).toMatchObject({
      params: { host: 'db2.internal', sslMode: 'require', properties: [{ name: 'x', value: '1' }], password: (before.params as Json).password },
      customField: { kept: [1, { a: null }] },
      usableBy: 'ALL',
      allowedGroups: ['analysts', 'engineers'],
      detailsReadability: { readableBy: 'ALL', allowedGroups: [] },
      allowWrite: false,
      allowManagedDatasets: false,
      allowManagedFolders: true,
      useGlobalProxy: true,
      credentialsMode: 'PER_USER',
      maxActivities: 7,
      indexingSettings: { indexSystemTables: false, indexForeignKeys: false, indexIndices: true },
      creationTag: before.creationTag,
    });
    expect(await storedPassword('updated')).toBe(PASSWORD);
  });

  it('sees a change made in DSS to a readable field, and heals it', async () => {
    const doc = pgDoc('drifted');
    await converge(h, connectionKind, [doc]);
    const live = await get('drifted');
    await h.sim.ok('PUT', '/admin/connections/drifted', { ...live, allowedGroups: ['everyone'], params: { ...(live.params as Json), host: 'rogue' } });
    const planned = await plan([doc]);
    expect([...new Set(planned[0]?.changes.map((c) => c.path))].sort()).toEqual(['allowedGroups', 'params.host']);
    await applyPlanned(connectionKind, h.run(), planned);
    expect(await get('drifted')).toMatchObject({ allowedGroups: ['analysts'], params: { host: 'db.internal' } });
    expect(await storedPassword('drifted')).toBe(PASSWORD);
  });

  it('writes a password rotated in the manifests (a pending change) and cannot see one changed in DSS', async () => {
    await converge(h, connectionKind, [pgDoc('rotated')]);
    const rotated = pgDoc('rotated', {}, 'rotated-Secret-2');
    const planned = await plan([rotated]);
    expect(planned[0]?.changes).toEqual([expect.objectContaining({ path: 'params.password', sensitive: true }) as unknown]);
    expect(planned[0]?.live?.notices?.join('\n')).toContain('rotated in the manifests or the environment): pending');
    await applyPlanned(connectionKind, h.run(), planned);
    expect(await storedPassword('rotated')).toBe('rotated-Secret-2');
    expect((await plan([rotated]))[0]?.changes).toEqual([]);

    // An administrator sets another password in DSS: DSS shows it encrypted like any other, so nothing is planned.
    const live = await get('rotated');
    await h.sim.ok('PUT', '/admin/connections/rotated', { ...live, params: { ...(live.params as Json), password: 'set-by-hand' } });
    const unseen = await plan([rotated]);
    expect(unseen[0]?.changes).toEqual([]);
    expect(unseen[0]?.live?.notices?.join('\n')).toContain('a change made to it in DSS cannot be seen');
  });

  it('does not write a password it cannot compare unless the manifest asks, then records its hash', async () => {
    await h.sim.ok('POST', '/admin/connections/', { name: 'byhand', type: 'PostgreSQL', params: { host: 'db.internal', db: 'dwh', user: 'dss', password: 'hand-made' }, usableBy: 'ALLOWED', allowedGroups: ['analysts'] });
    const planned = await plan([pgDoc('byhand')]);
    expect(planned[0]?.changes).toEqual([]);
    expect(planned[0]?.live?.notices?.[0]).toContain('cannot be compared');
    const asked = pgDoc('byhand', {}, PASSWORD, { 'dss-gitops/rotate-secrets': 'true' });
    const forced = await plan([asked]);
    expect(forced[0]?.changes.map((c) => c.path)).toEqual(['params.password']);
    await applyPlanned(connectionKind, h.run(), forced);
    expect(await storedPassword('byhand')).toBe(PASSWORD);
    expect((await plan([pgDoc('byhand')]))[0]?.changes).toEqual([]);
    expect((await plan([pgDoc('byhand')]))[0]?.live?.notices?.[0]).toContain('compared with the hash recorded');
  });

  it('manages an S3 connection and a Filesystem one, whatever params they declare', async () => {
    const s3 = docOf('Connection', 's3', { type: 'EC2', params: { accessKey: 'AKIA1', secretKey: 'aws-Secret-99', defaultManagedBucket: 'b' } }, {
      sensitivePaths: ['/spec/params/accessKey', '/spec/params/secretKey'],
    });
    const fs = docOf('Connection', 'lake', { type: 'Filesystem', params: { root: '/data/lake' }, allowManagedFolders: true });
    expect(await converge(h, connectionKind, [s3, fs])).toEqual([]);
    expect((await h.sim.ok<Json>('GET', '/connections/s3/info')).resolvedAWSCredential).toEqual({ accessKey: 'AKIA1', secretKey: 'aws-Secret-99' });
    expect(await get('lake')).toMatchObject({ type: 'Filesystem', params: { root: '/data/lake', hiveSync: false }, allowManagedFolders: true });
  });

  it('scrubs from the run a credential DSS shows in clear, even one no manifest declares', async () => {
    await h.sim.ok('POST', '/admin/connections/', { name: 'clear', type: 'EC2', params: { accessKey: 'AKIA-HAND-MADE-1', secretKey: 'hidden-Secret-3' } });
    const registry = new SecretRegistry();
    const text = await withRunSecrets(registry, async () => {
      await connectionKind.read(h.run(), connectionKind.units(docOf('Connection', 'clear', { type: 'EC2', params: { defaultManagedBucket: 'b' } }))[0]!);
      return scrubSecrets('key AKIA-HAND-MADE-1 seen');
    });
    expect(text).not.toContain('AKIA-HAND-MADE-1');
  });

  it('exports every connection with credentials as references; the export plans no change', async () => {
    const ctx = h.run();
    expect(await connectionKind.listForExport?.(ctx, { projectKeys: [], allProjects: false, deployer: false, platform: false })).toEqual([]);
    const stubs = (await connectionKind.listForExport?.(ctx, { projectKeys: [], allProjects: false, deployer: false, platform: true })) ?? [];
    expect(stubs.map((d) => d.metadata.name)).toEqual(await connectionKind.listOnNode?.(h.client));
    const stub = stubs.find((d) => d.metadata.name === 'created')!;
    const unit = connectionKind.units(stub)[0]!;
    const live = (await connectionKind.read(ctx, unit))!;
    const exported = connectionKind.exportSpec?.(stub, [{ unit, live }]);
    expect(exported?.secrets).toEqual([{ name: 'CONNECTION_CREATED_PASSWORD', where: 'Connection/created spec.params.password' }]);
    expect(JSON.stringify(exported)).not.toMatch(/e:AES:|pg-Secret/);
    // Loaded back with the secret provided: the reference becomes the value, and nothing is to change.
    const spec = structuredClone(exported!.spec);
    (spec.params as Json).password = PASSWORD;
    const back = docOf('Connection', 'created', spec, { sensitivePaths: ['/spec/params/password'] });
    expect((await plan([back]))[0]?.changes).toEqual([]);
  });

  it('takes a creation whose answer was lost as done when reading back finds it, and refuses one of another type', async () => {
    h.sim.setFaults([{ kind: 'lost-response', method: 'POST', route: '/admin/connections', times: 1 }]);
    try {
      expect(await converge(h, connectionKind, [pgDoc('lost')])).toEqual([]);
      expect(h.sim.stats().faults?.['lost-response']).toBe(1);
    } finally {
      h.sim.setFaults([]);
    }
    expect(await storedPassword('lost')).toBe(PASSWORD);
    expect((await plan([pgDoc('lost')]))[0]?.live?.notices?.[0]).toContain('compared with the hash recorded');

    await h.sim.ok('POST', '/admin/connections/', { name: 'taken', type: 'Filesystem', params: { root: '/x' } });
    h.sim.setFaults([{ kind: 'reset-before', method: 'POST', route: '/admin/connections', times: 1 }]);
    try {
      await expect(connectionKind.create(h.run(), connectionKind.units(pgDoc('taken'))[0]!)).rejects.toThrow(
        'Connection/taken already exists in DSS and is not the one this apply creates: its type is Filesystem, not PostgreSQL',
      );
    } finally {
      h.sim.setFaults([]);
    }
  });

  it('deletes a connection, and a second delete finds it gone', async () => {
    await converge(h, connectionKind, [pgDoc('doomed')]);
    expect(await connectionKind.listOnNode?.(h.client)).toContain('doomed');
    await connectionKind.delete?.(h.run(), 'Connection/doomed');
    await connectionKind.delete?.(h.run(), 'Connection/doomed');
    expect(await connectionKind.listOnNode?.(h.client)).not.toContain('doomed');
  });
});
