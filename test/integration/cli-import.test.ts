// `import ADDRESS` against the simulator: the manifest written as export writes it, the object recorded, and the
// next plan empty; refusals write nothing.

import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useAppliedExample } from '../helpers/example-tree.js';
import type { TestSimulator } from '../helpers/simulator.js';

const example = useAppliedExample('import');
const { cli } = example;
let sim: TestSimulator;
let dir: string;

const recorded = async (key: string): Promise<Record<string, unknown>> =>
  ((await sim.ok<{ custom: { kv: Record<string, { inventory: Record<string, unknown> }> } }>('GET', `/projects/${key}/metadata`)).custom.kv['dss-gitops']
    ?.inventory ?? {});

beforeEach(async () => {
  ({ sim, dir } = example);
  // Made by hand in DSS, with a field the manifests never model.
  await sim.ok('POST', '/projects/CHURN/scenarios/', { id: 'ADHOC', name: 'Ad hoc', type: 'step_based' });
  const adhoc = await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/scenarios/ADHOC');
  await sim.ok('PUT', '/projects/CHURN/scenarios/ADHOC', { ...adhoc, active: true, description: 'made by hand', undocumentedField: 7 });
  await sim.ok('POST', '/projects/', { projectKey: 'SANDBOX', name: 'Sandbox', owner: 'admin' });
});

describe('import', () => {
  it('writes the manifest where export would, records the object, and the next plan is empty', async () => {
    sim.reset({ stats: true, state: false });
    const imported = await cli(['import', '-f', 'm', 'Scenario/CHURN/ADHOC']);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toBe(
      'Wrote m/CHURN/scenarios/ADHOC.yaml\nImported Scenario/CHURN/ADHOC: recorded as managed by dss-gitops-example in Project/CHURN.\n',
    );
    // Only the record was written (GET-modify-PUT of the project metadata), under the run lock (taken, released).
    expect(sim.stats().byRoute['PUT /projects/:projectKey/metadata']).toBe(1);
    expect(sim.stats().byRoute['PUT /admin/variables']).toBe(2);
    expect(sim.stats().writes).toBe(3);
    const text = readFileSync(path.join(dir, 'm/CHURN/scenarios/ADHOC.yaml'), 'utf8');
    expect(text).toContain('kind: Scenario\nmetadata:\n  name: ADHOC\n  project: CHURN\n');
    expect(text).toContain('description: made by hand');
    expect(await recorded('CHURN')).toHaveProperty(['Scenario/CHURN/ADHOC']);
    expect((await cli(['state', 'list', '-f', 'm'])).stdout).toContain('Scenario/CHURN/ADHOC\n');

    sim.reset({ stats: true, state: false });
    const planned = await cli(['plan', '-f', 'm', '--detailed-exitcode']);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain('No changes.');
    expect(planned.stdout).not.toContain('ownership');
    expect(sim.stats().writes).toBe(0);
    // The untouched object keeps what the manifest does not model.
    expect((await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/scenarios/ADHOC')).undocumentedField).toBe(7);
  });

  it('a whole project with no record yet: its blocks are recorded for this source', async () => {
    const imported = await cli(['import', '-f', 'm', '--layout', 'by-kind', 'Project/SANDBOX']);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('Wrote m/projects/SANDBOX.yaml\n');
    expect(Object.keys(await recorded('SANDBOX'))).toEqual(['Project/SANDBOX', 'Project/SANDBOX#permissions']);
    const planned = await cli(['plan', '-f', 'm']);
    expect(planned.stdout).toContain('No changes.');
    expect(planned.stdout).not.toContain('SANDBOX');
  });

  it('refuses an address that does not exist, and writes nothing', async () => {
    sim.reset({ stats: true, state: false });
    const missing = await cli(['import', '-f', 'm', 'Scenario/CHURN/NOPE']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Scenario/CHURN/NOPE does not exist in DSS: nothing to import');
    const noProject = await cli(['import', '-f', 'm', 'Scenario/NOPE/X']);
    expect(noProject.code).toBe(1);
    expect(noProject.stderr).toContain('no project NOPE on the design node');
    const notAddress = await cli(['import', '-f', 'm', 'Scenario']);
    expect(notAddress.code).toBe(1);
    expect(notAddress.stderr).toContain('Scenario is not an address');
    expect(sim.stats().writes).toBe(0);
    expect(existsSync(path.join(dir, 'm/CHURN'))).toBe(false);
  });

  it('refuses to overwrite an existing file, and an address the manifests already declare', async () => {
    mkdirSync(path.join(dir, 'm/CHURN/scenarios'), { recursive: true });
    writeFileSync(path.join(dir, 'm/CHURN/scenarios/ADHOC.yaml'), '# mine\n');
    sim.reset({ stats: true, state: false });
    const exists = await cli(['import', '-f', 'm', 'Scenario/CHURN/ADHOC']);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toContain('m/CHURN/scenarios/ADHOC.yaml exists already: import never overwrites a file');
    expect(readFileSync(path.join(dir, 'm/CHURN/scenarios/ADHOC.yaml'), 'utf8')).toBe('# mine\n');
    const declared = await cli(['import', '-f', 'm', 'Scenario/CHURN/DAILY_REFRESH']);
    expect(declared.code).toBe(1);
    expect(declared.stderr).toMatch(/Scenario\/CHURN\/DAILY_REFRESH is already declared in m\/projects\/CHURN\/scenario-daily-refresh\.yaml:\d+:\d+/);
    expect(sim.stats().writes).toBe(0);
    expect(await recorded('CHURN')).not.toHaveProperty(['Scenario/CHURN/ADHOC']);
  });
});
