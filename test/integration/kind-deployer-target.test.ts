// --target of a deployment on a fresh Project Deployer: what it is only ordered after (its bundle, published project,
// infra) comes along when it does not exist yet, as Terraform includes a target's dependencies.

import { describe, expect, it } from 'vitest';
import { both, cli, design, useExampleWithDeployer } from './kind-deployer-example-setup.js';

useExampleWithDeployer();

describe('--target on a fresh deployer', () => {
  it('brings along the prerequisites a deployment is ordered after when they do not exist yet, and says so', async () => {
    const planned = await cli('plan', ...both, '--target', 'Deployment/churn-dev');
    expect(planned.code).toBe(0);
    expect(planned.out).toContain('--target also covers');
    expect(planned.out).toContain('+ create Bundle/CHURN/v2');
    expect(planned.out).toContain('+ create PublishedProject/CHURN');
    expect(planned.out).not.toContain('Deployment/churn-prod');

    const applied = await cli('apply', ...both, '--target', 'Deployment/churn-dev', '--auto-approve');
    expect(applied.code).toBe(0);
    expect(applied.out).not.toContain('not found');
    const status = await design.ok<{ health: string }>('GET', '/project-deployer/deployments/churn-dev/status');
    expect(status.health).toBe('HEALTHY');

    // Once they exist, the target alone is selected again.
    const again = await cli('plan', ...both, '--target', 'Deployment/churn-dev');
    expect(again.out).not.toContain('--target also covers');
    expect(again.out).toContain('No changes.');
  });
});
