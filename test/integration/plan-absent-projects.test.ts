// What the plan reads of a project the project list says does not exist: nothing. Its blocks and its scenarios are
// absent with it, so a fresh apply's plan sends no GET for them (each was a 404), and the plan is the same.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManifestSet } from '../../src/manifest/types.js';
import { applyRun, contextFactory, planRun, type RunSetup } from '../../src/reconciler/reconcile.js';
import { exampleRunSetup, loadExample, startKindHarness, type KindHarness } from './kind-harness.js';


let h: KindHarness;
let set: ManifestSet;

beforeEach(async () => {
  h = await startKindHarness();
  set = loadExample();
});
afterEach(() => h.close());

function setup(): RunSetup {
  return exampleRunSetup(h.client, set, { parallelism: 4 });
}

/** The GETs of routes inside a project (`/projects/:projectKey/...`) the simulator answered, by route. */
function projectReads(): Record<string, number> {
  return Object.fromEntries(Object.entries(h.sim.stats().byRoute).filter(([route]) => route.startsWith('GET /projects/:projectKey')));
}

describe('the plan of projects that do not exist', () => {
  it('reads nothing inside them, and plans every object of theirs as a creation', async () => {
    h.sim.reset({ stats: true, state: false });
    const planned = await planRun(setup(), set.documents);
    expect(projectReads()).toEqual({});
    expect(h.sim.stats().byRoute['GET /projects']).toBe(1);
    const units = planned.plan.units;
    expect(units.length).toBe(20);
    expect(units.filter((u) => u.action !== 'create')).toEqual([]);
    expect([...planned.projects.values()].map((p) => [p.key, p.exists])).toEqual([
      ['CHURN', false],
      ['FINANCE_REPORTING', false],
      ['MARKETING_ATTRIBUTION', false],
    ]);
  });

  it('reads every object of the projects that exist, and none of the one that does not', async () => {
    const s = setup();
    const contextFor = contextFactory(s);
    expect((await applyRun(s, await planRun(s, set.documents, contextFor), contextFor)).failed).toBe(0);
    await h.sim.ok('DELETE', '/projects/MARKETING_ATTRIBUTION/');

    h.sim.reset({ stats: true, state: false });
    const planned = await planRun(setup(), set.documents);
    const created = planned.plan.units.filter((u) => u.action === 'create').map((u) => u.unit.address);
    expect(created).toEqual([
      'Project/MARKETING_ATTRIBUTION',
      'Project/MARKETING_ATTRIBUTION#metadata',
      'Project/MARKETING_ATTRIBUTION#permissions',
      'Project/MARKETING_ATTRIBUTION#variables',
      'Scenario/MARKETING_ATTRIBUTION/REFRESH_ATTRIBUTION',
    ]);
    expect(planned.plan.units.filter((u) => u.action !== 'create' && u.action !== 'no-op')).toEqual([]);
    // CHURN and FINANCE_REPORTING: their three blocks each, their four scenarios (and the python one's code).
    expect(projectReads()).toEqual({
      'GET /projects/:projectKey/metadata': 2,
      'GET /projects/:projectKey/variables': 2,
      'GET /projects/:projectKey/permissions': 2,
      'GET /projects/:projectKey/scenarios/:scenarioId': 4,
      'GET /projects/:projectKey/scenarios/:scenarioId/payload': 1,
    });
  });
});
