// The destroy plan, pure: what this source's records list, protected objects and the projects holding them kept.

import { describe, expect, it } from 'vitest';
import { planDestroy, type DestroyInput } from '../../src/reconciler/destroy.js';
import type { ProjectOwnership } from '../../src/reconciler/ownership.js';

function project(key: string, inventory: Record<string, { hash: string; protected?: boolean }>, tags: string[] = []): ProjectOwnership {
  return { key, exists: true, tags, record: { version: 1, source: 'src', inventory } };
}

function input(owned: ProjectOwnership[], extra: Partial<DestroyInput> = {}): DestroyInput {
  return {
    owned,
    targets: [],
    protectedInManifests: new Set(),
    unrecorded: [],
    canDelete: (kind) => kind !== 'Bundle',
    nodeOf: () => 'design',
    ...extra,
  };
}

const P = project('P', { 'Project/P': { hash: 'a' }, 'Project/P#variables': { hash: 'b' }, 'Scenario/P/S': { hash: 'c' }, 'Bundle/P/v1': { hash: 'd' } });

describe('planDestroy', () => {
  it('deletes every recorded object, blocks folded into their object, the project last and whole', () => {
    const plan = planDestroy(input([P]));
    expect(plan.deletions.map((d) => [d.address, d.wholeProject])).toEqual([
      ['Project/P', true],
      ['Scenario/P/S', false],
    ]);
    // The project is gone: no record left to write.
    expect(plan.records).toEqual([]);
    expect(plan.report.summary).toEqual({ add: 0, change: 0, destroy: 2 });
  });

  it('keeps a protected object and the project that holds it, deleting the rest one by one', () => {
    const guarded = project('P', { 'Project/P': { hash: 'a' }, 'Scenario/P/S': { hash: 'c', protected: true }, 'Scenario/P/T': { hash: 'e' } });
    const plan = planDestroy(input([guarded]));
    expect(plan.deletions.map((d) => d.address)).toEqual(['Scenario/P/T']);
    expect(plan.report.warnings).toEqual([
      'Scenario/P/S is protected (it was applied with the protected annotation): it is not deleted',
      'Project/P is not deleted: deleting it would delete Scenario/P/S with it',
    ]);
    expect(plan.records.map((r) => r.projectKey)).toEqual(['P']);
  });

  it('a manifest annotation or a project tag protects too', () => {
    expect(planDestroy(input([P], { protectedInManifests: new Set(['Scenario/P/S']) })).deletions.map((d) => d.address)).toEqual([]);
    const tagged = planDestroy(input([project('P', P.record?.inventory ?? {}, ['dss-gitops-protected'])]));
    expect(tagged.deletions).toEqual([]);
  });

  it('a targeted project goes with all its objects; an unknown or protected target is refused', () => {
    const other = project('Q', { 'Project/Q': { hash: 'x' } });
    expect(planDestroy(input([P, other], { targets: ['Project/P'] })).deletions.map((d) => d.address)).toEqual(['Project/P', 'Scenario/P/S']);
    expect(planDestroy(input([P, other], { targets: ['Scenario/P/S'] })).deletions.map((d) => d.address)).toEqual(['Scenario/P/S']);
    expect(() => planDestroy(input([P], { targets: ['Scenario/P/NOPE'] }))).toThrow('--target names no object this source manages');
    expect(() => planDestroy(input([P], { targets: ['Scenario/P/S'], protectedInManifests: new Set(['Scenario/P/S']) }))).toThrow(
      'destroy never deletes a protected object: Scenario/P/S is protected (its manifest annotates it as protected)',
    );
  });
});

describe('planDestroy of a node instance record', () => {
  const node: ProjectOwnership = {
    key: 'design',
    store: 'instance',
    exists: true,
    tags: [],
    record: {
      version: 1,
      source: 'src',
      inventory: { 'Group/g': { hash: 'a' }, 'User/u': { hash: 'b' }, 'User/v': { hash: 'c', pruneDelete: true }, 'Plugin/p': { hash: 'd' } },
    },
  };
  const optIn = (kind: string): 'soft' | 'keep' | undefined => (kind === 'User' ? 'soft' : kind === 'Plugin' ? 'keep' : undefined);

  it('deletes what may be deleted, disables what needs an opt-in it did not give, leaves what is kept, and keeps the record less those', () => {
    const plan = planDestroy(input([node], { pruneNeedsOptIn: optIn, canSoftDelete: (kind) => kind === 'User' }));
    expect(plan.deletions.map((d) => [d.address, d.store, d.soft === true])).toEqual([
      ['Group/g', 'instance', false],
      ['User/v', 'instance', false],
      ['User/u', 'instance', true],
    ]);
    expect(plan.report.resourceChanges.map((c) => [c.address, c.action])).toEqual([
      ['Group/g', 'delete'],
      ['User/u', 'update'],
      ['User/v', 'delete'],
    ]);
    expect(plan.report.summary).toEqual({ add: 0, change: 1, destroy: 2 });
    expect(plan.report.warnings).toEqual([
      'Plugin/p is not deleted: Plugin objects are deleted only when their manifest was applied with the annotation dss-gitops/prune: "delete"; it stays, and stays recorded',
    ]);
    expect(plan.records.map((r) => [r.projectKey, r.store])).toEqual([['design', 'instance']]);
  });

  it('deletes the kind with no opt-in rule, and never deletes a soft kind that cannot soft-delete', () => {
    const plan = planDestroy(input([node], { pruneNeedsOptIn: optIn, canSoftDelete: () => false }));
    expect(plan.deletions.map((d) => d.address)).toEqual(['Group/g', 'User/v']);
  });

  it('names the platform kinds among what is recorded when the registry has any', () => {
    const plan = planDestroy(input([], { unrecorded: ['Infra/prod'], instanceKinds: ['User', 'Group'] }));
    expect(plan.report.warnings).toEqual([
      '1 declared object(s) are in no ownership record and are not destroyed: Infra/prod (only the objects of projects and the platform objects (Group, User) are recorded)',
    ]);
    expect(planDestroy(input([], { unrecorded: ['Infra/prod'] })).report.warnings[0]).toMatch(/\(only the objects of projects are recorded\)$/);
  });
});
