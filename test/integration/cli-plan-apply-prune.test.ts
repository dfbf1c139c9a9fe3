// Prune against the simulator: only objects this manifests tree applied, never hand-made or protected ones,
// never everything because of an empty -f.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useAppliedExample } from '../helpers/example-tree.js';
import type { TestSimulator } from '../helpers/simulator.js';

const example = useAppliedExample('prune');
const { cli, exists } = example;
let sim: TestSimulator;
let dir: string;

beforeEach(async () => {
  ({ sim, dir } = example);
  // Made by hand in the UI: never in an inventory, never touched.
  await sim.ok('POST', '/projects/', { projectKey: 'SANDBOX', name: 'Sandbox', owner: 'admin' });
  await sim.ok('POST', '/projects/CHURN/scenarios/', { id: 'ADHOC', name: 'Ad hoc', type: 'step_based' });
});

describe('prune', () => {
  it('deletes only owned objects that left the manifests, last, and only when asked', async () => {
    rmSync(path.join(dir, 'm/projects/CHURN/scenario-retrain-weekly.yaml'));
    rmSync(path.join(dir, 'm/projects/MARKETING_ATTRIBUTION'), { recursive: true });

    const without = await cli(['plan', '-f', 'm']);
    expect(without.stdout).toContain('No changes.');
    expect(without.stdout).toContain('run with --prune to delete them');

    // A project whose manifests are all gone is deleted only when asked for explicitly; the rest is still planned.
    const refused = await cli(['plan', '-f', 'm', '--prune']);
    expect(refused.code).toBe(0);
    expect(refused.stdout).toMatch(/REFUSED: Project\/MARKETING_ATTRIBUTION.*--allow-empty/);
    expect(refused.stdout).toContain('- delete Scenario/CHURN/RETRAIN_WEEKLY');
    expect(refused.stdout).not.toContain('- delete Project/MARKETING_ATTRIBUTION');

    const planned = await cli(['plan', '-f', 'm', '--prune', '--allow-empty']);
    expect(planned.stdout).toContain('- delete Scenario/CHURN/RETRAIN_WEEKLY');
    expect(planned.stdout).toContain('- delete Project/MARKETING_ATTRIBUTION');
    expect(planned.stdout).toContain('Plan: 0 to add, 0 to change, 2 to destroy.');
    expect(planned.stdout).not.toContain('SANDBOX');
    expect(planned.stdout).not.toContain('ADHOC');

    const applied = await cli(['apply', '-f', 'm', '--auto-approve', '--prune', '--allow-empty']);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Apply complete! Resources: 0 added, 0 changed, 2 destroyed.');
    expect(await exists('/projects/CHURN/scenarios/RETRAIN_WEEKLY')).toBe(false);
    expect(await exists('/projects/MARKETING_ATTRIBUTION/metadata')).toBe(false);
    expect(await exists('/projects/SANDBOX/metadata')).toBe(true);
    expect(await exists('/projects/CHURN/scenarios/ADHOC')).toBe(true);

    sim.reset({ stats: true, state: false });
    const again = await cli(['apply', '-f', 'm', '--auto-approve', '--prune']);
    expect(again.stdout).toContain('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.');
    expect(sim.stats().writes).toBe(0);
  });

  it('never deletes a protected object: annotated in the manifest or tagged in DSS', async () => {
    // FINANCE_REPORTING is annotated dss-gitops/prune: "false" in the example.
    rmSync(path.join(dir, 'm/projects/FINANCE_REPORTING'), { recursive: true });
    const metadata = await sim.ok<{ tags: string[] }>('GET', '/projects/MARKETING_ATTRIBUTION/metadata');
    await sim.ok('PUT', '/projects/MARKETING_ATTRIBUTION/metadata', { ...metadata, tags: [...metadata.tags, 'dss-gitops-protected'] });
    rmSync(path.join(dir, 'm/projects/MARKETING_ATTRIBUTION'), { recursive: true });

    const applied = await cli(['apply', '-f', 'm', '--auto-approve', '--prune']);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Project/FINANCE_REPORTING left the manifests but is protected');
    expect(applied.stdout).toContain('Project/MARKETING_ATTRIBUTION left the manifests but is protected');
    expect(applied.stdout).toContain('0 destroyed');
    expect(await exists('/projects/FINANCE_REPORTING/metadata')).toBe(true);
    expect(await exists('/projects/MARKETING_ATTRIBUTION/metadata')).toBe(true);
  });

  it('refuses to prune when the manifests declare nothing, unless --allow-empty', async () => {
    // The same source as the example: a tree that was emptied.
    rmSync(path.join(dir, 'm'), { recursive: true });
    mkdirSync(path.join(dir, 'm'));
    writeFileSync(path.join(dir, 'm/dss-gitops.yaml'), 'source: dss-gitops-example\nprune: false\n');
    const refused = await cli(['plan', '-f', 'm', '--prune']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--allow-empty');
    const allowed = await cli(['plan', '-f', 'm', '--prune', '--allow-empty']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('- delete Project/CHURN');
    expect(allowed.stdout).not.toContain('- delete Project/FINANCE_REPORTING');
    expect(allowed.stdout).toContain('Project/FINANCE_REPORTING left the manifests but is protected');
    expect(allowed.stdout).not.toContain('SANDBOX');
  });
});
