// `--replace ADDRESS` on plan and apply: a deployment in sync is rolled out again; kinds that cannot be replaced,
// and addresses that are not in the run, are refused before anything is written.

import { describe, expect, it } from 'vitest';
import { both, cli, design, useExampleWithDeployer } from './kind-deployer-example-setup.js';

useExampleWithDeployer();

const UPDATE = 'POST /project-deployer/deployments/:deploymentId/actions/update';

describe('--replace', () => {
  it('rolls a deployment in sync out again; the next plan is empty', async () => {
    expect((await cli('apply', ...both, '--auto-approve')).code).toBe(0);
    expect((await cli('plan', ...both)).out).toContain('No changes.');

    design.reset({ stats: true, state: false });
    const planned = await cli('plan', ...both, '--replace', 'Deployment/churn-dev', '--detailed-exitcode');
    expect(planned.code).toBe(2);
    expect(planned.out).toContain('~ update Deployment/churn-dev');
    expect(planned.out).toContain('# --replace: written again even where it is in sync');
    expect(planned.out).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    expect(design.stats().writes).toBe(0);

    const applied = await cli('apply', ...both, '--auto-approve', '--replace', 'Deployment/churn-dev');
    expect(applied.code).toBe(0);
    expect(applied.out).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');
    const routes = design.stats().byRoute;
    expect(routes[UPDATE]).toBe(1);
    const status = await design.ok<{ health: string }>('GET', '/project-deployer/deployments/churn-dev/status');
    expect(status.health).toBe('HEALTHY');

    design.reset({ stats: true, state: false });
    expect((await cli('apply', ...both, '--auto-approve')).out).toContain('0 added, 0 changed, 0 destroyed');
    expect(design.stats().writes).toBe(0);
  });

  it('refuses a kind that cannot be replaced, an unknown address, and a saved plan, writing nothing', async () => {
    design.reset({ stats: true, state: false });
    const scenario = await cli('apply', ...both, '--auto-approve', '--replace', 'Scenario/CHURN/DAILY_REFRESH');
    expect(scenario.code).toBe(1);
    expect(scenario.out).toContain('--replace: Scenario/CHURN/DAILY_REFRESH cannot be replaced: Scenario objects have no re-creation or redeployment');
    const unknown = await cli('plan', ...both, '--replace', 'Deployment/nope');
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain('--replace: Deployment/nope is not an object of this run');
    const saved = await cli('plan', ...both, '--replace', 'Deployment/churn-dev', '--out', 'p.json');
    expect(saved.code).toBe(1);
    expect(saved.out).toContain('a saved plan does not hold --replace');
    expect(design.stats().writes).toBe(0);
  });
});
