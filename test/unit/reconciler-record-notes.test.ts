// The record-only notes of a plan (a record written while no object of its scope changes), at the size of a large
// tree: which scopes get one, and a cost linear in the units, not one scan of every unit per record.

import { describe, expect, it } from 'vitest';
import { recordOnlyNotes } from '../../src/reconciler/plan-ownership.js';
import { defaultScopes, type OwnershipScopes } from '../../src/reconciler/ownership/scopes.js';
import { unitsOf } from '../../src/reconciler/reconcile.js';
import type { PlanInput, PlannedRecord, PlannedUnit } from '../../src/reconciler/types.js';
import type { ProjectOwnership } from '../../src/reconciler/ownership.js';
import { kindRegistry } from '../../src/resources/registry.js';
import { docOf } from './kind-docs.js';

const PROJECTS = 60;

/** `PROJECTS` projects of three scenarios; in every project but P7 the last scenario changes; every record changes. */
function largePlan(): { input: PlanInput; records: PlannedRecord[]; units: PlannedUnit[]; calls: () => number } {
  const docs = Array.from({ length: PROJECTS }, (_, i) => [
    docOf('Project', `P${i}`, { description: 'd' }),
    ...[0, 1, 2].map((s) => docOf('Scenario', `S${s}`, { name: 'n' }, { project: `P${i}` })),
  ]).flat();
  const units = unitsOf(docs, kindRegistry()).map(
    (unit): PlannedUnit => ({
      unit,
      action: unit.address.endsWith('/S2') && !unit.address.includes('/P7/') ? 'update' : 'no-op',
      live: undefined,
      change: { address: unit.address, kind: unit.kind, node: 'design', action: 'no-op', changes: [] },
    }),
  );
  const projects = new Map<string, ProjectOwnership>();
  const records: PlannedRecord[] = [];
  for (let i = 0; i < PROJECTS; i += 1) {
    projects.set(`P${i}`, { key: `P${i}`, exists: true, tags: [] });
    records.push({ projectKey: `P${i}`, before: { version: 1, source: 's', inventory: {} }, after: { version: 1, source: 's', inventory: { [`Project/P${i}`]: { hash: 'h' } } } });
  }
  let count = 0;
  const scopes: OwnershipScopes = {
    ...defaultScopes(),
    scopeOf: (unit) => {
      count += 1;
      return defaultScopes().scopeOf(unit);
    },
  };
  const input = { projects, scopes } as unknown as PlanInput;
  return { input, records, units, calls: () => count };
}

describe('recordOnlyNotes', () => {
  it('notes the records of the scopes where nothing is written, asking each unit its scope at most once', () => {
    const { input, records, units, calls } = largePlan();
    expect(recordOnlyNotes(input, records, units, [])).toEqual([
      'Project/P7#ownership: apply writes the ownership record (the objects dss-gitops manages; the record is out of date); ' +
        'no object changes, so it is not counted as a change',
    ]);
    expect(calls()).toBeLessThanOrEqual(units.length);
  });
});
