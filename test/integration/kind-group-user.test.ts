// Group and User against the simulator, one kind at a time: create from nothing, converge with zero writes, each
// managed field, fields not managed surviving, changes made in DSS seen and healed, delete and the soft delete of
// prune, the live listing, and the export round trip.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/index.js';
import { groupKind } from '../../src/resources/group/kind.js';
import { GROUP_PERMISSION_FLAGS } from '../../src/resources/group/permissions.js';
import type { ManifestDocument } from '../../src/manifest/types.js';
import type { ResourceKind } from '../../src/resources/types.js';
import { userKind } from '../../src/resources/user/kind.js';
import { passwordMatches, type UserRecord } from '../../src/simulator/admin/security-state.js';
import { applyPlanned, converge, docOf, planUnits, readsDuring, startKindHarness, writesDuring, type KindHarness } from './kind-harness.js';

type Json = Record<string, unknown>;

let h: KindHarness;
beforeAll(async () => {
  h = await startKindHarness();
});
afterAll(() => h.close());

const groupDoc = (name: string, spec: Json = {}) => docOf('Group', name, spec);
function userDoc(login: string, spec: Json = {}, annotations?: Record<string, string>): ManifestDocument {
  const doc = docOf('User', login, spec, { sensitivePaths: spec.password === undefined ? [] : ['/spec/password'] });
  if (annotations) doc.metadata.annotations = annotations;
  return doc;
}

const userRecord = (login: string): UserRecord => h.sim.state().design.security?.users[login] as UserRecord;

async function changesOf(kind: ResourceKind, doc: ManifestDocument): Promise<string[]> {
  const planned = await planUnits(kind, h.run(), kind.units(doc));
  return planned.flatMap((p) => (p.live === undefined ? ['create'] : p.changes.map((c) => `${c.kind} ${c.path}`)));
}

/** Plan and write one document, then check that a second plan is empty and a second apply writes nothing. */
async function convergeAndSettle(kind: ResourceKind, doc: ManifestDocument): Promise<void> {
  expect(await converge(h, kind, [doc])).toEqual([]);
  const ctx = h.run();
  expect(await writesDuring(h.client, async () => applyPlanned(kind, ctx, await planUnits(kind, ctx, kind.units(doc))))).toBe(0);
}

describe('Group', () => {
  it('is created from nothing with its flags and mappings, then converges with zero writes', async () => {
    const doc = groupDoc('analysts', { description: 'Analysts', ldapGroupNames: ['cn=analysts'], mayCreateProjects: true, mayWriteSafeCode: true });
    expect(await changesOf(groupKind, doc)).toEqual(['create']);
    await convergeAndSettle(groupKind, doc);
    const live = await h.sim.ok<Json>('GET', '/admin/groups/analysts');
    expect(live).toMatchObject({ description: 'Analysts', ldapGroupNames: ['cn=analysts'], mayCreateProjects: true, mayWriteSafeCode: true, admin: false });
  });

  it('updates each managed field and keeps every field it does not manage byte for byte', async () => {
    await convergeAndSettle(groupKind, groupDoc('editors', { description: 'v1' }));
    const before = await h.sim.ok<Json>('GET', '/admin/groups/editors');
    await h.sim.ok('PUT', '/admin/groups/editors', { ...before, undocumented: { nested: [1, 'two'] }, canObtainAPITicketFromCookiesForGroupsRegex: 'x.*' });
    const spec: Json = { description: 'v2', sourceType: 'LDAP', ldapGroupNames: ['cn=e'], ssoGroupNames: ['sso-e'], azureADGroupNames: ['az'], customGroupNames: ['c'] };
    for (const flag of GROUP_PERMISSION_FLAGS) spec[flag] = true;
    await convergeAndSettle(groupKind, groupDoc('editors', spec));
    const after = await h.sim.ok<Json>('GET', '/admin/groups/editors');
    expect(after).toMatchObject(spec);
    expect(after.undocumented).toEqual({ nested: [1, 'two'] });
    expect(after.canObtainAPITicketFromCookiesForGroupsRegex).toBe('x.*');
    // A flag left out of the manifest is false again.
    await convergeAndSettle(groupKind, groupDoc('editors', { description: 'v2' }));
    expect(await h.sim.ok<Json>('GET', '/admin/groups/editors')).toMatchObject({ admin: false, mayCreateProjects: false, ldapGroupNames: ['cn=e'] });
  });

  it('sees a permission granted in DSS as a change, and puts it back', async () => {
    const doc = groupDoc('viewers', { description: 'Viewers' });
    await convergeAndSettle(groupKind, doc);
    const live = await h.sim.ok<Json>('GET', '/admin/groups/viewers');
    await h.sim.ok('PUT', '/admin/groups/viewers', { ...live, admin: true, description: 'changed by hand' });
    expect((await changesOf(groupKind, doc)).sort()).toEqual(['modify admin', 'modify description']);
    await convergeAndSettle(groupKind, doc);
    expect(await h.sim.ok<Json>('GET', '/admin/groups/viewers')).toMatchObject({ admin: false, description: 'Viewers' });
  });

  it('is deleted, a second time too, and lists every group of the node, the built-in one included', async () => {
    await convergeAndSettle(groupKind, groupDoc('temporary'));
    expect(await groupKind.listOnNode?.(h.client)).toEqual(expect.arrayContaining(['administrators', 'temporary']));
    await groupKind.delete?.(h.run(), 'Group/temporary');
    await groupKind.delete?.(h.run(), 'Group/temporary');
    expect((await h.sim.call('GET', '/admin/groups/temporary')).status).toBe(404);
  });
});

describe('User', () => {
  it('is created with its password and groups after its group, then converges with zero writes', async () => {
    await convergeAndSettle(groupKind, groupDoc('scientists'));
    const doc = userDoc('alice', { displayName: 'Alice', email: 'alice@example.com', groups: ['scientists', 'administrators'], userProfile: 'DATA_SCIENTIST', password: 'alice-first-pass' });
    expect(await changesOf(userKind, doc)).toEqual(['create']);
    await convergeAndSettle(userKind, doc);
    const live = await h.sim.ok<Json>('GET', '/admin/users/alice');
    expect(live).toMatchObject({ displayName: 'Alice', email: 'alice@example.com', groups: ['scientists', 'administrators'], enabled: true });
    expect(passwordMatches(userRecord('alice'), 'alice-first-pass')).toBe(true);
  });

  it('says the password cannot be compared, writes a new one only when asked, and never sends it unplanned', async () => {
    const doc = userDoc('bob', { displayName: 'Bob', password: 'bob-first' });
    await convergeAndSettle(userKind, doc);
    const [unit] = userKind.units(userDoc('bob', { displayName: 'Bob', password: 'bob-rotated' }));
    const live = await userKind.read(h.run(), unit!);
    expect(live?.notices).toEqual(['User/bob: password cannot be compared (DSS never gives it back); annotate dss-gitops/rotate-password: "true" to write the declared password']);
    expect(JSON.stringify(live)).not.toContain('bob-first');
    expect(diffManaged(unit!.desired, live?.view, unit!.policy)).toEqual([]);
    // Another change planned for the user does not carry the unplanned password.
    await convergeAndSettle(userKind, userDoc('bob', { displayName: 'Bob B.', password: 'bob-rotated' }));
    expect(passwordMatches(userRecord('bob'), 'bob-first')).toBe(true);
    // Asked for: the password is a (masked) change, written once.
    const rotate = userDoc('bob', { displayName: 'Bob B.', password: 'bob-rotated' }, { 'dss-gitops/rotate-password': 'true' });
    const planned = await planUnits(userKind, h.run(), userKind.units(rotate));
    expect(planned[0]?.changes).toEqual([expect.objectContaining({ path: 'password', sensitive: true })]);
    await applyPlanned(userKind, h.run(), planned);
    expect(passwordMatches(userRecord('bob'), 'bob-rotated')).toBe(true);
  });

  it('updates each managed field, keeps what it does not manage, and the list of groups is the truth', async () => {
    await convergeAndSettle(groupKind, groupDoc('g1'));
    await convergeAndSettle(groupKind, groupDoc('g2'));
    await convergeAndSettle(userKind, userDoc('carol', { displayName: 'Carol', groups: ['g1'] }));
    const before = await h.sim.ok<Json>('GET', '/admin/users/carol');
    await h.sim.ok('PUT', '/admin/users/carol', { ...before, adminProperties: { team: 'x' }, undocumented: [1], secrets: [{ name: 'tok', value: 'carol-secret', secret: true }] });
    const spec = { displayName: 'Carol C.', email: 'c@example.com', groups: ['g2'], userProfile: 'READER', sourceType: 'LOCAL', enabled: false };
    await convergeAndSettle(userKind, userDoc('carol', spec));
    const after = await h.sim.ok<Json>('GET', '/admin/users/carol');
    expect(after).toMatchObject({ ...spec, adminProperties: { team: 'x' }, undocumented: [1] });
    expect(userRecord('carol').settings.secrets).toEqual([{ name: 'tok', value: 'carol-secret', secret: true }]);
    // A group added in DSS is a change, and taken away.
    await h.sim.ok('PUT', '/admin/users/carol', { ...after, groups: ['g2', 'g1'] });
    expect(await changesOf(userKind, userDoc('carol', spec))).toEqual(['remove groups']);
    await convergeAndSettle(userKind, userDoc('carol', spec));
    expect(await h.sim.ok<Json>('GET', '/admin/users/carol')).toMatchObject({ groups: ['g2'] });
  });

  it('is enabled again when the manifest leaves `enabled` out and DSS has it disabled', async () => {
    const doc = userDoc('dave', { displayName: 'Dave' });
    await convergeAndSettle(userKind, doc);
    const live = await h.sim.ok<Json>('GET', '/admin/users/dave');
    await h.sim.ok('PUT', '/admin/users/dave', { ...live, enabled: false });
    expect(await changesOf(userKind, doc)).toEqual(['modify enabled']);
    await convergeAndSettle(userKind, doc);
    expect(await h.sim.ok<Json>('GET', '/admin/users/dave')).toMatchObject({ enabled: true });
  });

  it('is disabled by a soft delete, every other setting kept, and deleted by a delete', async () => {
    await convergeAndSettle(userKind, userDoc('erin', { displayName: 'Erin', groups: ['administrators'] }));
    const before = await h.sim.ok<Json>('GET', '/admin/users/erin');
    await userKind.softDelete?.(h.run(), 'User/erin');
    expect(await h.sim.ok<Json>('GET', '/admin/users/erin')).toEqual({ ...before, enabled: false });
    const ctx = h.run();
    expect(await writesDuring(h.client, () => userKind.softDelete!(ctx, 'User/erin'))).toBe(0);
    expect(await writesDuring(h.client, () => userKind.softDelete!(ctx, 'User/nobody'))).toBe(0);
    expect(await userKind.listOnNode?.(h.client)).toEqual(expect.arrayContaining(['admin', 'erin']));
    await userKind.delete?.(h.run(), 'User/erin');
    await userKind.delete?.(h.run(), 'User/erin');
    expect((await h.sim.call('GET', '/admin/users/erin')).status).toBe(404);
  });

  it('is created with one request when DSS starts it as declared', async () => {
    const [unit] = userKind.units(userDoc('hana', { displayName: 'Hana', groups: ['administrators'], password: 'hana-pass' }));
    const ctx = h.run();
    const reads = h.client.stats().reads;
    expect(await writesDuring(h.client, () => userKind.create(ctx, unit!))).toBe(1);
    expect(h.client.stats().reads - reads).toBe(0);
    expect(await h.sim.ok<Json>('GET', '/admin/users/hana')).toMatchObject({ displayName: 'Hana', enabled: true });
  });

  it('takes a creation refused as existing, or whose answer was lost, as done, and writes the declared fields', async () => {
    await h.sim.ok('POST', '/admin/users/', { login: 'ivan', displayName: 'Made by hand' });
    const byHand = await h.sim.ok<Json>('GET', '/admin/users/ivan');
    await h.sim.ok('PUT', '/admin/users/ivan', { ...byHand, enabled: false });
    await userKind.create(h.run(), userKind.units(userDoc('ivan', { displayName: 'Ivan' }))[0]!);
    expect(await h.sim.ok<Json>('GET', '/admin/users/ivan')).toMatchObject({ displayName: 'Ivan', enabled: true });

    h.sim.setFaults([{ kind: 'lost-response', method: 'POST', times: 2 }]);
    await groupKind.create(h.run(), groupKind.units(groupDoc('lost', { admin: true }))[0]!);
    await userKind.create(h.run(), userKind.units(userDoc('jade', { groups: ['lost'], enabled: false }))[0]!);
    h.sim.setFaults([]);
    expect(h.sim.stats().faults?.['lost-response']).toBe(2);
    expect(await h.sim.ok<Json>('GET', '/admin/groups/lost')).toMatchObject({ admin: true });
    expect(await h.sim.ok<Json>('GET', '/admin/users/jade')).toMatchObject({ groups: ['lost'], enabled: false });
  });

  it('is refused by DSS when its group does not exist yet: the group must be written first', async () => {
    const [unit] = userKind.units(userDoc('frank', { groups: ['not-yet'] }));
    await expect(userKind.create(h.run(), unit!)).rejects.toThrow(/not-yet/);
    expect(unit?.orderAfter).toEqual(['Group/not-yet']);
  });
});

describe('reads', () => {
  it('cost one request per kind and run, however many groups and users are planned', async () => {
    const groups = ['r1', 'r2', 'r3'].map((n) => groupDoc(n));
    const users = ['u1', 'u2', 'u3', 'u4'].map((n) => userDoc(n, { groups: ['r1'] }));
    for (const doc of groups) await convergeAndSettle(groupKind, doc);
    for (const doc of users) await convergeAndSettle(userKind, doc);
    const ctx = h.run();
    const reads = await readsDuring(h.client, async () => {
      await planUnits(groupKind, ctx, groups.flatMap((d) => groupKind.units(d)));
      await planUnits(userKind, ctx, users.flatMap((d) => userKind.units(d)));
    });
    expect(reads).toBe(2);
  });
});

describe('export of groups and users', () => {
  it('round-trips: exported specs plan no change, and hold no password', async () => {
    await convergeAndSettle(groupKind, groupDoc('exported', { description: 'E', ssoGroupNames: ['sso'], mayDevelopPlugins: true }));
    await convergeAndSettle(userKind, userDoc('gina', { displayName: 'Gina', groups: ['exported'], enabled: false, password: 'gina-pass' }));
    const scope = { projectKeys: [], allProjects: false, deployer: false, platform: true };
    for (const kind of [groupKind, userKind]) {
      const stubs = await kind.listForExport!(h.run(), scope);
      expect(stubs.length).toBeGreaterThan(1);
      for (const stub of stubs) {
        const units = kind.units(stub);
        const planned = await planUnits(kind, h.run(), units);
        const exported = kind.exportSpec!(stub, planned.map((p) => ({ unit: p.unit, live: p.live! })));
        expect(JSON.stringify(exported)).not.toContain('gina-pass');
        expect(exported.spec).not.toHaveProperty('password');
        const doc = docOf(kind.kind, stub.metadata.name, exported.spec);
        expect(await changesOf(kind, doc), `${kind.kind}/${stub.metadata.name}`).toEqual([]);
      }
    }
    const [gina] = (await userKind.listForExport!(h.run(), scope)).filter((d) => d.metadata.name === 'gina');
    const live = await planUnits(userKind, h.run(), userKind.units(gina!));
    expect(userKind.exportSpec!(gina!, [{ unit: live[0]!.unit, live: live[0]!.live! }]).spec).toEqual({
      displayName: 'Gina',
      groups: ['exported'],
      userProfile: 'DATA_SCIENTIST',
      enabled: false,
    });
  });
});
