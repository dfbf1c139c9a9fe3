// The pure parts of drift detection: classification by recorded spec hash, the healing plan, and the
// --changed-since selection.

import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/diff/types.js';
import { selectChanged } from '../../src/reconciler/changed-since.js';
import { changeMarkerOf, classifyDrift, managedProjects, type ListedObject } from '../../src/reconciler/drift.js';
import { specHash } from '../../src/reconciler/hash.js';
import { healingPlan } from '../../src/reconciler/heal.js';
import type { OwnershipRecord, ProjectOwnership } from '../../src/reconciler/ownership.js';
import type { PlannedRun } from '../../src/reconciler/reconcile.js';
import type { PlannedUnit } from '../../src/reconciler/types.js';
import type { LiveState, ResourceUnit } from '../../src/resources/types.js';
import { doc } from './reconciler-fakes.js';

function unit(address: string, desired: Record<string, unknown>, dependsOn: string[] = [], file = 'm.yaml'): ResourceUnit {
  const [kind = '', ...rest] = address.split('/');
  const project = kind === 'Scenario' ? rest[0] : undefined;
  const name = (kind === 'Scenario' ? rest[1] : rest[0])?.split('#')[0] ?? '';
  const d = doc(kind, name, desired, project === undefined ? {} : { project });
  const hash = address.indexOf('#');
  return {
    address,
    kind,
    doc: { ...d, source: { file, line: 1, column: 1 } },
    ...(hash === -1 ? {} : { block: address.slice(hash + 1) }),
    desired,
    policy: {},
    dependsOn,
  };
}

function planned(u: ResourceUnit, action: Action, live?: LiveState): PlannedUnit {
  const changes = action === 'no-op' ? [] : [{ pointer: '/active', path: 'active', kind: 'modify' as const, before: false, after: true, sensitive: false }];
  return { unit: u, action, live, change: { address: u.address, kind: u.kind, node: 'design', action, changes } };
}

function ownership(key: string, inventory: Record<string, string>): ProjectOwnership {
  const record: OwnershipRecord = {
    version: 1,
    source: 'git:m',
    inventory: Object.fromEntries(Object.entries(inventory).map(([a, hash]) => [a, { hash }])),
  };
  return { key, exists: true, tags: [], record };
}

const live = (raw: unknown = {}, changedBy?: LiveState['changedBy']): LiveState => ({ view: {}, raw, ...(changedBy ? { changedBy } : {}) });

describe('classifyDrift', () => {
  const project = unit('Project/CHURN', { shortDesc: 'x' });
  const vars = unit('Project/CHURN#variables', { standard: { a: 1 } }, ['Project/CHURN']);
  const daily = unit('Scenario/CHURN/DAILY', { active: true }, ['Project/CHURN']);
  const weekly = unit('Scenario/CHURN/WEEKLY', { active: true }, ['Project/CHURN']);
  const fresh = unit('Scenario/CHURN/FRESH', { active: true }, ['Project/CHURN']);
  const folder = unit('ProjectFolder/Analytics', { permissions: [] });

  it('tells drift from pending by the recorded spec hash, and lists what matches', () => {
    const projects = new Map([
      [
        'CHURN',
        ownership('CHURN', {
          'Project/CHURN': specHash(project),
          'Project/CHURN#variables': specHash(vars),
          'Scenario/CHURN/DAILY': 'an older hash',
          'Scenario/CHURN/WEEKLY': specHash(weekly),
        }),
      ],
    ]);
    const tag = { versionTag: { versionNumber: 3, lastModifiedBy: { login: 'bob' }, lastModifiedOn: 0 } };
    const report = classifyDrift({
      units: [
        planned(project, 'no-op', live()),
        planned(vars, 'update', live({ settings: tag })),
        planned(daily, 'update', live()),
        planned(weekly, 'create'),
        planned(fresh, 'create'),
      ],
      projects,
      listed: [],
      commit: 'abc',
    });
    expect(report.inSync).toEqual(['Project/CHURN']);
    expect(report.drift.map((e) => [e.address, e.reason])).toEqual([
      ['Project/CHURN#variables', 'changed in DSS since the last apply (the manifest did not change)'],
      ['Scenario/CHURN/WEEKLY', 'deleted in DSS since the last apply'],
    ]);
    expect(report.drift[0]).toMatchObject({ changedBy: 'bob', changedAt: '1970-01-01T00:00:00.000Z' });
    expect(report.pending.map((e) => [e.address, e.reason])).toEqual([
      ['Scenario/CHURN/DAILY', 'the manifest changed since the last apply'],
      ['Scenario/CHURN/FRESH', 'never applied'],
    ]);
    expect(report.summary).toEqual({ drifted: 2, pending: 2, unmanaged: 0, inSync: 1 });
    expect(report.commit).toBe('abc');
  });

  it('without any record of the project everything different is pending', () => {
    const report = classifyDrift({ units: [planned(vars, 'update', live())], projects: new Map(), listed: [] });
    expect(report.pending.map((e) => e.reason)).toEqual(['never applied: DSS holds other values']);
  });

  it('objects outside projects: a live difference is drift, a missing object pending', () => {
    const report = classifyDrift({
      units: [planned(folder, 'update', live({}, { by: 'carol', at: '2026-01-01T00:00:00Z' })), planned(unit('ProjectFolder/New', {}), 'create')],
      projects: new Map(),
      listed: [],
    });
    expect(report.drift).toMatchObject([{ address: 'ProjectFolder/Analytics', changedBy: 'carol', changedAt: '2026-01-01T00:00:00Z', recorded: false }]);
    expect(report.pending).toMatchObject([{ address: 'ProjectFolder/New', reason: 'not created yet' }]);
  });

  it('undeclared live objects: unmanaged unless owned, then a pending deletion', () => {
    const listed: ListedObject[] = ['DAILY', 'HAND_MADE', 'REMOVED'].map((id) => ({
      address: `Scenario/CHURN/${id}`,
      kind: 'Scenario',
      node: 'design',
      projectKey: 'CHURN',
    }));
    const report = classifyDrift({
      units: [planned(daily, 'no-op', live())],
      projects: new Map([['CHURN', ownership('CHURN', { 'Scenario/CHURN/DAILY': specHash(daily), 'Scenario/CHURN/REMOVED': 'h' })]]),
      listed,
    });
    expect(report.unmanaged).toMatchObject([{ address: 'Scenario/CHURN/HAND_MADE', class: 'unmanaged', action: 'no-op' }]);
    expect(report.pending).toMatchObject([{ address: 'Scenario/CHURN/REMOVED', action: 'delete' }]);
    expect(report.summary).toEqual({ drifted: 0, pending: 1, unmanaged: 1, inSync: 1 });
  });

  it('finds who changed an object from the kind, else from versionTag, and only from those', () => {
    expect(changeMarkerOf(undefined)).toEqual({});
    expect(changeMarkerOf(live({ versionTag: { lastModifiedBy: 'dave', lastModifiedOn: '2026-02-02' } }))).toEqual({ by: 'dave', at: '2026-02-02' });
    expect(changeMarkerOf(live({ object: { versionTag: { lastModifiedBy: { login: 'eve' } } } }))).toEqual({ by: 'eve' });
    expect(changeMarkerOf(live({ versionTag: { lastModifiedBy: 'x' } }, { by: 'kind-says' }))).toEqual({ by: 'kind-says' });
    expect(changeMarkerOf(live({ nothing: true }))).toEqual({});
  });

  it('managed projects are the ones with a Project document', () => {
    expect(managedProjects([project, vars, daily, unit('Scenario/OTHER/X', {})])).toEqual(['CHURN']);
  });
});

describe('healingPlan', () => {
  const project = unit('Project/CHURN', {});
  const vars = unit('Project/CHURN#variables', { standard: { a: 1 } }, ['Project/CHURN']);
  const daily = unit('Scenario/CHURN/DAILY', { active: true }, ['Project/CHURN']);
  const before: OwnershipRecord = { version: 1, source: 'git:m', inventory: { 'Project/CHURN#variables': { hash: specHash(vars) }, 'Scenario/CHURN/DAILY': { hash: 'old' } } };
  const run: PlannedRun = {
    allUnits: [project, vars, daily],
    projects: new Map(),
    plan: {
      report: { formatVersion: '1.0', resourceChanges: [], summary: { add: 0, change: 2, destroy: 1 }, warnings: [] },
      units: [planned(project, 'no-op'), planned(vars, 'update', live()), planned(daily, 'update', live())],
      deletions: [{ address: 'Scenario/CHURN/GONE', kind: 'Scenario', node: 'design', projectKey: 'CHURN', wholeProject: false }],
      records: [
        { projectKey: 'CHURN', before, after: { ...before, commit: 'new', inventory: { ...before.inventory, 'Scenario/CHURN/DAILY': { hash: specHash(daily) } } } },
        { projectKey: 'NEW', before: undefined, after: { version: 1, source: 'git:m', inventory: { 'Project/NEW': { hash: 'h' } } } },
      ],
    },
  };
  run.plan.report.resourceChanges = run.plan.units.filter((p) => p.action !== 'no-op').map((p) => p.change);
  const report = classifyDrift({ units: run.plan.units, projects: new Map([['CHURN', { key: 'CHURN', exists: true, tags: [], record: before }]]), listed: [] });

  it('writes the drifted units only and keeps every recorded hash, so pending stays pending', () => {
    expect(report.drift.map((e) => e.address)).toEqual(['Project/CHURN#variables']);
    const plan = healingPlan(run, report, false);
    expect(plan.units.filter((p) => p.action !== 'no-op').map((p) => p.unit.address)).toEqual(['Project/CHURN#variables']);
    expect(plan.deletions).toEqual([]);
    expect(plan.records).toHaveLength(1);
    expect(plan.records[0]?.after.inventory).toEqual(before.inventory);
    expect(plan.report.summary).toEqual({ add: 0, change: 1, destroy: 0 });
  });

  it('never heals drift told without a record: it may be a manifest change not applied yet', () => {
    const unrecorded = { ...report, drift: report.drift.map((e) => ({ ...e, recorded: false as const })) };
    expect(healingPlan(run, unrecorded, false).units.every((p) => p.action === 'no-op')).toBe(true);
  });

  it('deletes what left the manifests only with prune', () => {
    expect(healingPlan(run, report, true).deletions.map((d) => d.address)).toEqual(['Scenario/CHURN/GONE']);
  });
});

describe('selectChanged', () => {
  const root = path.resolve('/repo/m');
  const at = (f: string): string => path.join(root, f);
  const folder = unit('ProjectFolder/Analytics', {}, [], at('folders.yaml'));
  const project = unit('Project/CHURN', {}, ['ProjectFolder/Analytics'], at('churn/project.yaml'));
  const vars = unit('Project/CHURN#variables', {}, [], at('churn/project.yaml'));
  const daily = unit('Scenario/CHURN/DAILY', {}, ['Project/CHURN'], at('churn/daily.yaml'));
  const other = unit('Project/OTHER', {}, [], at('other/project.yaml'));
  const units = [folder, project, vars, daily, other];
  const options = {
    filesOf: (d: { source: { file: string } }) => [d.source.file],
    sharedFiles: [at('dss-gitops.yaml')],
    manifestRoots: [root],
    exists: (f: string) => !f.endsWith('gone.yaml'),
  };

  it('selects the changed objects and what depends on them', () => {
    const selection = selectChanged(units, new Set([at('folders.yaml')]), options);
    expect(selection).toEqual({
      targets: ['Project/CHURN', 'Project/CHURN#variables', 'ProjectFolder/Analytics', 'Scenario/CHURN/DAILY'],
      everything: false,
      changed: 1,
      deleted: [],
    });
    expect(selectChanged(units, new Set([at('churn/daily.yaml')]), options).targets).toEqual(['Scenario/CHURN/DAILY']);
  });

  it('selects nothing for unrelated files, everything for the config, and names deleted manifests', () => {
    expect(selectChanged(units, new Set(['/repo/README.md']), options).targets).toEqual([]);
    expect(selectChanged(units, new Set([at('dss-gitops.yaml')]), options)).toMatchObject({ everything: true, targets: units.map((u) => u.address) });
    expect(selectChanged(units, new Set([at('gone.yaml'), '/repo/elsewhere/gone.yaml']), options).deleted).toEqual([at('gone.yaml')]);
  });
});
