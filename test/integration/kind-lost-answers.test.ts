// Creations whose answer was lost, or refused because an earlier attempt made the object, are resolved by reading
// back: the object found is taken as done when it is the one the creation makes, and is an error naming the
// difference when it is not. Against the simulator, one kind at a time.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleKind } from '../../src/resources/bundle/kind.js';
import { projectKind } from '../../src/resources/project/kind.js';
import { scenarioKind } from '../../src/resources/scenario/kind.js';
import { docOf, startKindHarness, type KindHarness } from './kind-harness.js';

let h: KindHarness;

beforeEach(async () => {
  h = await startKindHarness();
});

afterEach(async () => {
  await h.close();
});

const project = docOf('Project', 'SALES', { name: 'Sales', owner: 'admin', folder: 'Commercial/Sales' });
const scenario = docOf('Scenario', 'DAILY', { name: 'Daily', type: 'step_based', active: true }, { project: 'SALES' });
const mainOf = (doc: typeof project) => projectKind.units(doc)[0]!;

async function folderPaths(): Promise<string[]> {
  const state = h.sim.state().design.folders;
  const pathOf = (id: string): string => {
    const f = state[id]!;
    return f.parentId === null ? '' : `${pathOf(f.parentId)}/${String(f.settings.name)}`;
  };
  return Object.keys(state).map(pathOf).sort();
}

describe('a creation whose answer was lost', () => {
  it('is taken as done when the project, its folders and a scenario are found by reading back', async () => {
    h.sim.setFaults([{ kind: 'lost-response', method: 'POST' }]);
    await projectKind.create(h.run(), mainOf(project));
    await scenarioKind.create(h.run(), scenarioKind.units(scenario)[0]!);
    h.sim.setFaults([]);
    expect(h.sim.stats().faults?.['lost-response']).toBe(4);
    expect(await folderPaths()).toEqual(['', '/Commercial', '/Commercial/Sales']);
    const sales = h.sim.state().design.projects.SALES!;
    expect(sales.metadata.label).toBe('Sales');
    expect(h.sim.state().design.folders[sales.folderId]!.settings.name).toBe('Sales');
    expect(await h.sim.ok('GET', '/projects/SALES/scenarios/DAILY')).toMatchObject({ name: 'Daily', active: true });
  });

  it('is sent again when reading back finds nothing (the connection broke before DSS handled it)', async () => {
    h.sim.setFaults([{ kind: 'reset-before', method: 'POST', route: '/projects', times: 2 }]);
    await projectKind.create(h.run(), mainOf(project));
    expect(h.sim.stats().byRoute['POST /projects']).toBe(3);
    expect(Object.keys(h.sim.state().design.projects)).toEqual(['SALES']);
  });

  it('takes a bundle export sent again and refused as existing as done: the bundle is the one it exported', async () => {
    await projectKind.create(h.run(), mainOf(project));
    const [unit] = bundleKind.units(docOf('Bundle', 'v1', { releaseNotes: 'first' }, { project: 'SALES' }));
    h.sim.setFaults([{ kind: 'lost-response', method: 'PUT', times: 1 }]);
    await bundleKind.create(h.run(), unit!);
    // The client sent the export again after the lost answer; DSS refused it as an existing bundle.
    expect(h.sim.stats().byRoute['PUT /projects/:projectKey/bundles/exported/:bundleId']).toBe(2);
  });
});

describe('a creation refused because the object exists', () => {
  it('continues when the live object is the one it would have made, as the next run after a lost answer does', async () => {
    await h.sim.ok('POST', '/projects/', { projectKey: 'SALES', name: 'Sales', owner: 'admin' });
    const unit = projectKind.units(docOf('Project', 'SALES', { name: 'Sales', owner: 'admin' }))[0]!;
    await expect(projectKind.create(h.run(), unit)).resolves.toBeUndefined();
  });

  it('fails naming the difference when it is another object under the same id', async () => {
    await h.sim.ok('POST', '/projects/', { projectKey: 'SALES', name: 'Someone else', owner: 'admin' });
    const unit = projectKind.units(docOf('Project', 'SALES', { name: 'Sales', owner: 'admin' }))[0]!;
    await expect(projectKind.create(h.run(), unit)).rejects.toThrow(
      'Project/SALES already exists in DSS and is not the one this apply creates: its display name is not Sales',
    );
  });

  it('fails when the project found is not in the declared folder', async () => {
    await h.sim.ok('POST', '/projects/', { projectKey: 'SALES', name: 'Sales', owner: 'admin' });
    await expect(projectKind.create(h.run(), mainOf(project))).rejects.toThrow(
      'Project/SALES already exists in DSS and is not the one this apply creates: it is not in folder Commercial/Sales',
    );
  });

  it('keeps bundles immutable: an older bundle under the same id is not taken for the one being exported', async () => {
    await h.sim.ok('POST', '/projects/', { projectKey: 'SALES', name: 'Sales', owner: 'admin' });
    await h.sim.ok('PUT', '/projects/SALES/bundles/exported/v1?releaseNotes=other');
    const [unit] = bundleKind.units(docOf('Bundle', 'v1', { releaseNotes: 'first' }, { project: 'SALES' }));
    await expect(bundleKind.create(h.run(), unit!)).rejects.toThrow(/Bundle\/SALES\/v1 already exists .*bundles are immutable: pick a new bundle id/);
  });
});
