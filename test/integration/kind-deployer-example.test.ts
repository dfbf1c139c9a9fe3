// The example repository with the deployer tree beside it, on a design simulator (its own Project Deployer) and three
// automation simulators: the whole chain from nothing in one apply, an empty second plan, a promotion by edit.

import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { automation, both, cli, design, dir, useExampleWithDeployer } from './kind-deployer-example-setup.js';

useExampleWithDeployer();

/** The status's health, and what was last deployed from the simulator's control (no documented answer says it). */
async function health(id: string): Promise<{ health: string; deployedBundleId: string | null }> {
  const status = await design.ok<{ health: string }>('GET', `/project-deployer/deployments/${id}/status`);
  const deployed = (await design.control('GET', `/deployer/deployments/${id}`)) as { deployedBundleId: string | null };
  return { health: status.health, deployedBundleId: deployed.deployedBundleId };
}

describe('the example with its deployer tree', () => {
  it('validates the deployer tree alone, its project declared external', async () => {
    const alone = await cli('validate', '-f', 'd');
    expect(alone.code).toBe(0);
    expect(alone.out).toContain('9 documents valid.');
  });

  it('creates projects, bundles, published project, infras and deployments in one apply; a second plan is empty', async () => {
    const applied = await cli('apply', ...both, '--auto-approve');
    expect(applied.code).toBe(0);
    expect(applied.out).toContain('Apply complete! Resources: 31 added, 0 changed, 0 destroyed.');
    expect(await health('churn-dev')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v2' });
    expect(await health('churn-test')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v2' });
    expect(await health('churn-prod')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v1' });
    // The bundles were exported after the project's scenarios were written in the same run.
    const v1 = await design.ok<{ bundles: Array<{ contentSummary: { scenarios: string[] } }> }>('GET', '/projects/CHURN/bundles/exported/v1');
    expect(v1.bundles[0]!.contentSummary.scenarios).toContain('DAILY_REFRESH');
    const prodVariables = await automation.get('PROD')!.ok('GET', '/projects/CHURN/variables/');
    expect(prodVariables).toMatchObject({ standard: { scoreThreshold: 0.7 }, local: { environment: 'production' } });

    design.reset({ stats: true, state: false });
    const again = await cli('plan', ...both, '--detailed-exitcode');
    expect(again.out).toContain('No changes.');
    expect(again.code).toBe(0);
    expect(design.stats().writes).toBe(0);
  });

  it('promotes v2 to Production by editing one line: the plan shows the rollout, apply ends HEALTHY', async () => {
    const file = path.join(dir, 'd', 'deployments.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('bundleId: v1   # the bundle running in production', 'bundleId: v2   # the bundle running in production'));
    const planned = await cli('plan', ...both);
    expect(planned.out).toContain('bundle v1 → v2 (rollout on infra prod)');
    expect(planned.out).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    const applied = await cli('apply', ...both, '--auto-approve');
    expect(applied.code).toBe(0);
    expect(await health('churn-prod')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v2' });
  });
});
