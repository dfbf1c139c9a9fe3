// The Group and User kinds' pure parts: units, policies, views on answers shaped like DSS's, references, the
// password rules and the exported specs.

import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/index.js';
import { groupExport } from '../../src/resources/group/export.js';
import { groupKind, groupView } from '../../src/resources/group/kind.js';
import { GROUP_PERMISSION_FLAGS } from '../../src/resources/group/permissions.js';
import { overlay } from '../../src/resources/managed-write.js';
import { userKind, userView } from '../../src/resources/user/kind.js';
import { passwordState } from '../../src/resources/user/password.js';
import { userSpecFromView } from '../../src/resources/user/export.js';
import { groupSpecFromView } from '../../src/resources/group/export.js';
import type { DssClient } from '../../src/dss/types.js';
import { UnexpectedAnswerError } from '../../src/dss/answer.js';
import type { KindContext, LiveState } from '../../src/resources/types.js';
import { docOf } from './kind-docs.js';

type Json = Record<string, unknown>;

const groupDoc = (name: string, spec: Json = {}) => docOf('Group', name, spec);
const userDoc = (login: string, spec: Json = {}, options: { secret?: boolean; annotations?: Record<string, string> } = {}) => {
  const doc = docOf('User', login, spec, { sensitivePaths: options.secret === false || spec.password === undefined ? [] : ['/spec/password'] });
  if (options.annotations) doc.metadata.annotations = options.annotations;
  return doc;
};

/** A definition as `GET /admin/groups/{name}` gives it on DSS. */
function definition(fields: Json = {}): Json {
  const def: Json = { name: 'analysts', description: '', sourceType: 'LOCAL', ldapGroupNames: [], ssoGroupNames: [] };
  for (const flag of GROUP_PERMISSION_FLAGS) def[flag] = false;
  return { ...def, canObtainAPITicketFromCookiesForGroupsRegex: '', ...fields };
}

describe('Group units', () => {
  it('manage every permission flag, false unless declared, and only the other fields declared', () => {
    const [unit] = groupKind.units(groupDoc('analysts', { description: 'Analysts', mayCreateProjects: true }));
    expect(unit?.address).toBe('Group/analysts');
    expect(unit?.desired).toMatchObject({ description: 'Analysts', admin: false, mayCreateProjects: true, mayWriteSafeCode: false });
    expect(Object.keys(unit?.desired ?? {})).toHaveLength(GROUP_PERMISSION_FLAGS.length + 1);
    expect(unit?.desired).not.toHaveProperty('sourceType');
    expect(unit?.desired).not.toHaveProperty('ldapGroupNames');
  });

  it('see a flag DSS leaves out as false, and leave out flags this version does not know', () => {
    const [unit] = groupKind.units(groupDoc('analysts', { ldapGroupNames: ['cn=a'] }));
    const { mayCreateProjects: _left, ...withoutFlag } = definition({ mayFutureThing: true, ldapGroupNames: ['cn=a'] });
    const view = groupView(withoutFlag, unit!.desired);
    expect(view.mayCreateProjects).toBe(false);
    expect(view).not.toHaveProperty('mayFutureThing');
    expect(diffManaged(unit!.desired, view, unit!.policy)).toEqual([]);
  });

  it('report a flag set in DSS that the manifest leaves out, and compare mapping lists as exact sets', () => {
    const [unit] = groupKind.units(groupDoc('analysts', { ldapGroupNames: ['cn=b', 'cn=a'] }));
    expect(diffManaged(unit!.desired, groupView(definition({ ldapGroupNames: ['cn=a', 'cn=b'] }), unit!.desired), unit!.policy)).toEqual([]);
    const changes = diffManaged(unit!.desired, groupView(definition({ admin: true, ldapGroupNames: ['cn=a', 'cn=c'] }), unit!.desired), unit!.policy);
    expect(changes.map((c) => `${c.kind} ${c.path} ${JSON.stringify(c.after ?? c.before)}`).sort()).toEqual([
      'add ldapGroupNames "cn=b"',
      'modify admin false',
      'remove ldapGroupNames "cn=c"',
    ]);
  });

  it('write the flags and lists over the live definition, keeping fields they do not manage', () => {
    const [unit] = groupKind.units(groupDoc('analysts', { admin: true, ldapGroupNames: ['cn=x'] }));
    const live = definition({ futureField: { a: 1 }, ldapGroupNames: ['cn=old'] });
    const written = overlay(live, unit!.desired, unit!.policy);
    expect(written).toMatchObject({ admin: true, ldapGroupNames: ['cn=x'], futureField: { a: 1 }, name: 'analysts', canObtainAPITicketFromCookiesForGroupsRegex: '' });
  });

  it('export what differs from DSS defaults only', () => {
    expect(groupSpecFromView(groupView(definition({ description: 'D', sourceType: 'LDAP', ldapGroupNames: ['cn=a'], mayCreateProjects: true }), groupKind.units(groupDoc('x', { description: '', sourceType: '', ldapGroupNames: [] }))[0]!.desired)).spec).toEqual({
      description: 'D',
      sourceType: 'LDAP',
      ldapGroupNames: ['cn=a'],
      mayCreateProjects: true,
    });
    expect(groupSpecFromView(groupView(definition({ description: 'uses ${env:X}' }), { description: '' })).spec).toEqual({ description: 'uses $${env:X}' });
  });

  it('export nothing unless the platform objects are asked for', async () => {
    const unused = {} as Parameters<NonNullable<typeof groupExport.listForExport>>[0];
    expect(await groupExport.listForExport?.(unused, { projectKeys: [], allProjects: true, deployer: false, platform: false })).toEqual([]);
  });
});

describe('User units', () => {
  it('are written after the groups they name, enabled unless declared otherwise, with the password sensitive', () => {
    const [unit] = userKind.units(userDoc('alice', { groups: ['analysts', 'administrators'], password: 'p' }));
    expect(unit?.address).toBe('User/alice');
    expect(unit?.orderAfter).toEqual(['Group/analysts', 'Group/administrators']);
    expect(unit?.desired).toEqual({ groups: ['analysts', 'administrators'], enabled: true, password: 'p' });
    expect(unit?.policy.sensitive).toContain('/password');
    expect(userKind.units(userDoc('bob', { enabled: false }))[0]?.desired).toEqual({ enabled: false });
  });

  it('refer to each group they name but the built-in ones, at the group item', () => {
    expect(userKind.references?.(userDoc('alice', { groups: ['administrators', 'analysts'] }))).toEqual([
      { pointer: '/spec/groups/1', address: 'Group/analysts', what: 'group `analysts`' },
    ]);
    expect(userKind.references?.(userDoc('carol'))).toEqual([]);
  });

  it('compare groups as an exact set, and see a user DSS leaves without `enabled` as enabled', () => {
    const [unit] = userKind.units(userDoc('alice', { groups: ['b', 'a'], displayName: 'Alice' }));
    const settings = { login: 'alice', displayName: 'Alice', groups: ['a', 'b'], adminProperties: { x: 1 } };
    expect(diffManaged(unit!.desired, userView(settings, unit!.desired), unit!.policy)).toEqual([]);
    const changes = diffManaged(unit!.desired, userView({ ...settings, groups: ['a', 'c'], enabled: false }, unit!.desired), unit!.policy);
    expect(changes.map((c) => `${c.kind} ${c.path} ${JSON.stringify(c.after ?? c.before)}`).sort()).toEqual([
      'add groups "b"',
      'modify enabled true',
      'remove groups "c"',
    ]);
  });

  it('take a password from ${secret:..} only; a literal one is refused at plan time, on creation and on update', () => {
    expect(passwordState(userDoc('a', {}))).toBe('none');
    expect(passwordState(userDoc('a', { password: 'x' }))).toBe('declared');
    expect(passwordState(userDoc('a', { password: 'x' }, { annotations: { 'dss-gitops/rotate-password': 'true' } }))).toBe('rotate');
    const literal = userKind.units(userDoc('a', { password: 'in-git' }, { secret: false }))[0]!;
    expect(passwordState(literal.doc)).toBe('literal');
    const errors = userKind.validateCreate?.(literal, {}) ?? [];
    expect(errors).toEqual([expect.stringContaining('User/a: spec.password is a literal text')]);
    expect(errors.join()).not.toContain('in-git');
    const live: LiveState = { view: { enabled: true }, raw: {} };
    expect(userKind.validateChange?.(literal, live, [])).toHaveLength(1);
    const fromSecret = userKind.units(userDoc('a', { password: 'x' }))[0]!;
    expect(userKind.validateCreate?.(fromSecret, {})).toEqual([]);
  });

  it('export what differs from DSS defaults, never a password', () => {
    const view = userView({ login: 'a', displayName: 'A', email: '', groups: ['g'], userProfile: 'READER', enabled: false, sourceType: 'LOCAL', password: 'leak' }, {
      displayName: '',
      email: '',
      groups: [],
      userProfile: '',
      sourceType: '',
      enabled: true,
    });
    expect(userSpecFromView(view).spec).toEqual({ displayName: 'A', groups: ['g'], userProfile: 'READER', enabled: false });
  });
});

describe('answers of an unexpected shape', () => {
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const clientAnswering = (answer: unknown): DssClient =>
    ({ getJson: () => Promise.resolve(answer), getOrAbsent: () => Promise.resolve(answer) }) as unknown as DssClient;
  const ctxOf = (client: DssClient): KindContext => ({ client, clients: { design: client, deployer: client }, log: quiet });

  it('a list of groups or users that is not a list, or names no one: an error naming the route, not an empty node', async () => {
    await expect(groupKind.listOnNode!(clientAnswering({ groups: [] }))).rejects.toThrow(
      'DSS answered GET /admin/groups/ with a object as its body, where a JSON list was expected',
    );
    await expect(userKind.listOnNode!(clientAnswering([{ displayName: 'no login' }]))).rejects.toThrow(UnexpectedAnswerError);
    await expect(userKind.listOnNode!(clientAnswering([{ login: 42 }]))).rejects.toThrow('field `login`');
  });

  it('a listed group or user that is not an object: an error naming the route', async () => {
    await expect(groupKind.read(ctxOf(clientAnswering([['x']])), groupKind.units(groupDoc('g'))[0]!)).rejects.toThrow('GET /admin/groups/ with a list');
    await expect(userKind.read(ctxOf(clientAnswering(['x'])), userKind.units(userDoc('u'))[0]!)).rejects.toThrow('GET /admin/users/ with a string');
  });
});
