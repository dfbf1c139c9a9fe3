// The ownership stores and their scope rules, pure where they can be: which scope a unit or an address belongs to,
// what a node's instance record may list, how a forged one is read, and the instance store's GET-modify-PUT that
// touches its own variable only.

import { describe, expect, it } from 'vitest';
import { isReservedVariable } from '../../src/dss/instance-variables.js';
import { LOCK_VARIABLE } from '../../src/lock/lock-info.js';
import { editInstanceRecord, instanceRecordVariable, readInstanceOwnership } from '../../src/reconciler/ownership/instance-store.js';
import { ownershipScopes, scopeId } from '../../src/reconciler/ownership/scopes.js';
import { instanceStore, projectStore, recordAddressOf, scopeAddressOf } from '../../src/reconciler/ownership/stores.js';
import { checkInstanceRecord, instanceEntryInScope } from '../../src/reconciler/record-check.js';
import { KINDS, kindRegistry } from '../../src/resources/registry.js';
import type { ResourceUnit } from '../../src/resources/types.js';
import { instanceKind } from '../fixtures/instance-kind/kind.js';
import { doc, FakeClient } from './reconciler-fakes.js';

const HASH = 'b'.repeat(64);
const registry = kindRegistry([...KINDS, instanceKind(), instanceKind({ kind: 'RemoteSetting', prefix: 'remote.', node: 'deployer' })]);
const scopes = ownershipScopes(registry);
const KINDS_OF_DESIGN = scopes.instanceKinds('design');

function unit(kind: string, name: string, project?: string): ResourceUnit {
  return { address: `${kind}/${name}`, kind, doc: doc(kind, name, {}, project === undefined ? {} : { project }), desired: {}, policy: {}, dependsOn: [] };
}

describe('ownershipScopes', () => {
  it('puts a project, its blocks and its objects in the project scope, platform objects in their node, the rest nowhere', () => {
    expect(scopes.scopeOf({ ...unit('Project', 'CHURN'), address: 'Project/CHURN#variables', block: 'variables' })).toEqual({ store: 'project', key: 'CHURN' });
    expect(scopes.scopeOf(unit('Scenario', 'DAILY', 'CHURN'))).toEqual({ store: 'project', key: 'CHURN' });
    expect(scopes.scopeOf(unit('TestSetting', 'color'))).toEqual({ store: 'instance', node: 'design' });
    expect(scopes.scopeOf(unit('RemoteSetting', 'x'))).toEqual({ store: 'instance', node: 'deployer' });
    expect(scopes.scopeOf(unit('ProjectFolder', 'Analytics'))).toBeUndefined();
    expect(scopes.scopeOf(unit('Infra', 'prod'))).toBeUndefined();
  });

  it('reads the scope of an address as state rm and import do', () => {
    expect(scopes.scopeOfAddress('Project/CHURN#permissions')).toEqual({ store: 'project', key: 'CHURN' });
    expect(scopes.scopeOfAddress('Scenario/CHURN/DAILY')).toEqual({ store: 'project', key: 'CHURN' });
    expect(scopes.scopeOfAddress('TestSetting/color')).toEqual({ store: 'instance', node: 'design' });
    expect(scopes.scopeOfAddress('Deployment/churn-prod')).toBeUndefined();
    expect(scopes.scopeOfAddress('nonsense')).toBeUndefined();
    expect(scopes.instanceNodes()).toEqual(['design', 'deployer']);
    expect(ownershipScopes(kindRegistry()).instanceNodes()).toEqual(['design']);
    expect(ownershipScopes(kindRegistry(KINDS.filter((k) => k.ownership === undefined))).instanceNodes()).toEqual([]);
  });

  it('names each scope and record apart: a project key never holds a slash', () => {
    expect(scopeId({ store: 'project', key: 'CHURN' })).toBe('CHURN');
    expect(scopeId({ store: 'instance', node: 'design' })).toBe('instance/design');
    expect(scopeAddressOf({ store: 'project', key: 'CHURN' })).toBe('Project/CHURN');
    expect(recordAddressOf({ store: 'project', key: 'CHURN' })).toBe('Project/CHURN#ownership');
    expect(recordAddressOf({ store: 'instance', node: 'deployer' })).toBe('instance/deployer#ownership');
    expect(instanceRecordVariable('design')).toBe('dss-gitops.ownership');
    expect(instanceRecordVariable('deployer')).toBe('dss-gitops.ownership.deployer');
  });

  it("keeps every variable of dss-gitops's own under the reserved prefix a variables kind must leave alone", () => {
    for (const name of [LOCK_VARIABLE, instanceRecordVariable('design'), instanceRecordVariable('deployer')]) expect(isReservedVariable(name)).toBe(true);
    expect(isReservedVariable('dss_gitops_threshold')).toBe(false);
    expect(isReservedVariable('threshold')).toBe(false);
  });
});

describe('the instance scope rule', () => {
  it.each(['TestSetting/color', 'TestSetting/Data Scientists', 'TestSetting/a.b-c_d@e', 'TestSetting/color#settings', 'TestSetting/color#code-env'])('lets the design record list %s', (address) => {
    expect(instanceEntryInScope(KINDS_OF_DESIGN, address)).toBe(true);
    expect(instanceStore.inScope({ store: 'instance', node: 'design' }, address, scopes)).toBe(true);
  });

  it.each([
    ['a project', 'Project/CHURN'],
    ["a project's block", 'Project/CHURN#variables'],
    ["a project's scenario", 'Scenario/CHURN/DAILY'],
    ['a folder', 'ProjectFolder/Analytics'],
    ["another node's kind", 'RemoteSetting/x'],
    ['an unknown kind', 'Groupe/analysts'],
    ['a malformed block', 'TestSetting/color#x y'],
    ['a block of a path', 'TestSetting/a/b#settings'],
    ['an empty block', 'TestSetting/color#'],
    ['a path', 'TestSetting/a/b'],
    ['a blank name', 'TestSetting/ '],
    ['a padded name', 'TestSetting/ color'],
    ['an empty name', 'TestSetting/'],
    ['a control character', 'TestSetting/a\nb'],
    ['__proto__', '__proto__'],
    ['a prototype name', 'constructor'],
    ['a very long address', `TestSetting/${'x'.repeat(600)}`],
  ])('refuses %s', (_what, address) => {
    expect(instanceEntryInScope(KINDS_OF_DESIGN, address)).toBe(false);
  });

  it('is not the project rule: a project record may not list platform objects', () => {
    expect(projectStore.inScope({ store: 'project', key: 'CHURN' }, 'TestSetting/color', scopes)).toBe(false);
  });
});

describe('checkInstanceRecord', () => {
  it('drops forged entries with a warning each, keeps the rest, and reads a prune opt-in only when it is true', () => {
    const forged = JSON.parse(
      `{"version":1,"source":"s","inventory":{"__proto__":{"hash":"${HASH}"},"Project/CHURN":{"hash":"${HASH}"},` +
        `"RemoteSetting/x":{"hash":"${HASH}"},"TestSetting/ok":{"hash":"${HASH}","pruneDelete":true},` +
        `"TestSetting/doubt":{"hash":"${HASH}","pruneDelete":1},"TestSetting/bad":{"hash":"nope"}}}`,
    ) as unknown;
    const { record, warnings } = checkInstanceRecord('design', KINDS_OF_DESIGN, forged);
    expect(record?.inventory).toEqual({ 'TestSetting/doubt': { hash: HASH }, 'TestSetting/ok': { hash: HASH, pruneDelete: true } });
    expect(Object.getPrototypeOf(record?.inventory)).toBe(Object.prototype);
    expect(warnings).toEqual([
      'instance/design#ownership: entry "Project/CHURN" is ignored: it is not a platform object of node design (an instance-scoped kind and a valid name), and an instance record only lists those',
      'instance/design#ownership: entry "RemoteSetting/x" is ignored: it is not a platform object of node design (an instance-scoped kind and a valid name), and an instance record only lists those',
      'instance/design#ownership: entry "TestSetting/bad" is ignored: its hash is not a spec hash',
      'instance/design#ownership: entry "TestSetting/doubt" has a prune opt-in that is not true or false; prune does not delete it',
      'instance/design#ownership: entry "__proto__" is ignored: it is not a platform object of node design (an instance-scoped kind and a valid name), and an instance record only lists those',
    ]);
  });

  it('ignores a record of another shape whole', () => {
    expect(checkInstanceRecord('design', KINDS_OF_DESIGN, 'x').record).toBeUndefined();
    expect(checkInstanceRecord('design', KINDS_OF_DESIGN, { version: 2, source: 's', inventory: {} }).warnings).toEqual([
      'instance/design#ownership: the ownership record read from DSS is ignored: its version "2" is not 1; nothing it lists is pruned or counted as applied',
    ]);
    expect(checkInstanceRecord('design', KINDS_OF_DESIGN, undefined)).toEqual({ warnings: [] });
  });
});

describe('the instance store on the wire', () => {
  it('reads and edits its own variable only: every other variable, the run lock included, is written back as read', async () => {
    const client = new FakeClient();
    const lock = { id: 'lock-1234567', generation: 3 };
    client.store.set('/admin/variables/', { 'dss-gitops.lock': lock, other: { deep: [1, 2] } });
    expect(await readInstanceOwnership(client, 'design', KINDS_OF_DESIGN)).toEqual({ key: 'design', store: 'instance', exists: true, tags: [] });
    const written = { version: 1 as const, source: 's', inventory: { 'TestSetting/color': { hash: HASH } } };
    await editInstanceRecord(client, 'design', KINDS_OF_DESIGN, (before) => {
      expect(before).toBeUndefined();
      return written;
    });
    expect(client.store.get('/admin/variables/')).toEqual({ 'dss-gitops.lock': lock, other: { deep: [1, 2] }, 'dss-gitops.ownership': written });
    const read = await readInstanceOwnership(client, 'design', KINDS_OF_DESIGN);
    expect(read.record).toEqual(written);
    expect(read.recordValue).toEqual(written);
    // An edit that returns nothing writes nothing.
    const writes = client.stats().writes;
    await editInstanceRecord(client, 'design', KINDS_OF_DESIGN, () => undefined);
    expect(client.stats().writes).toBe(writes);
  });
});
