// The example with its deployer tree under faults: a deployment whose rollout never ran is a pending rollout the
// next plan shows and apply performs; lost answers of every deployer write are resolved by reading back.

import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { seeded } from '../helpers/soak.js';
import { both, cli, cliWith, design, dir, useExampleWithDeployer } from './kind-deployer-example-setup.js';

useExampleWithDeployer({ random: seeded(20261204) });

async function health(id: string): Promise<{ health: string; deployedBundleId: string | null }> {
  const status = await design.ok<{ health: string }>('GET', `/project-deployer/deployments/${id}/status`);
  const deployed = (await design.control('GET', `/deployer/deployments/${id}`)) as { deployedBundleId: string | null };
  return { health: status.health, deployedBundleId: deployed.deployedBundleId };
}


describe('deployer writes under faults', () => {
  it('resolves lost answers of creations, exports, publications and updates by reading back, in one apply', async () => {
    // Every write answered on a broken connection for a third of them, and the update action's answer lost twice.
    design.setFaults([
      { kind: 'lost-response', method: 'POST', route: '/project-deployer/deployments/:deploymentId/actions/update', times: 2 },
      { kind: 'lost-response', method: 'POST', rate: 0.3 },
      { kind: 'lost-response', method: 'PUT', rate: 0.3 },
    ]);
    const applied = await cli('apply', ...both, '--auto-approve');
    design.setFaults([]);
    expect(applied.out).toContain('Apply complete! Resources: 31 added, 0 changed, 0 destroyed.');
    expect(applied.code).toBe(0);
    expect(design.stats().faults?.['lost-response']).toBeGreaterThan(5);
    expect(await health('churn-dev')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v2' });
    expect(await health('churn-prod')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v1' });

    design.reset({ stats: true, state: false });
    const again = await cli('plan', ...both, '--detailed-exitcode');
    expect(again.out).toContain('No changes.');
    expect(again.code).toBe(0);
  });

  it('plans the rollout of a deployment created but never rolled out, and apply performs it', async () => {
    // The first half of a creation whose process died: the deployment exists with the declared settings, and
    // nothing was ever deployed.
    const settings = await design.ok<Record<string, unknown>>('GET', '/project-deployer/deployments/churn-dev/settings');
    await design.ok('DELETE', '/project-deployer/deployments/churn-dev');
    const { id: _id, versionTag: _v, creationTag: _c, ...declared } = settings;
    await design.ok('POST', '/project-deployer/deployments', { ...declared, deploymentId: 'churn-dev' });
    expect(await health('churn-dev')).toMatchObject({ deployedBundleId: null });

    const planned = await cli('plan', ...both, '--detailed-exitcode');
    expect(planned.code).toBe(2);
    expect(planned.out).toContain('~ update Deployment/churn-dev');
    expect(planned.out).toContain('bundle v2 is not in sync (rollout on infra dev)');
    expect(planned.out).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');

    const applied = await cli('apply', ...both, '--auto-approve');
    expect(applied.code).toBe(0);
    expect(await health('churn-dev')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v2' });
    const again = await cli('plan', ...both, '--detailed-exitcode');
    expect(again.out).toContain('No changes.');
  });

  it('keeps the rollout pending after its update action failed, until an apply performs it', async () => {
    const settings = await design.ok<Record<string, unknown>>('GET', '/project-deployer/deployments/churn-test/settings');
    await design.ok('DELETE', '/project-deployer/deployments/churn-test');
    const { id: _id, versionTag: _v, creationTag: _c, ...declared } = settings;
    await design.ok('POST', '/project-deployer/deployments', { ...declared, deploymentId: 'churn-test' });
    // The update action refused outright: the apply fails, and the next plan still shows the rollout.
    design.setFaults([{ kind: 'status', status: 403, route: '/project-deployer/deployments/:deploymentId/actions/update' }]);
    const failed = await cli('apply', ...both, '--auto-approve');
    design.setFaults([]);
    expect(failed.code).toBe(1);
    const planned = await cli('plan', ...both);
    expect(planned.out).toContain('bundle v2 is not in sync (rollout on infra test)');
    expect((await cli('apply', ...both, '--auto-approve')).code).toBe(0);
    expect(await health('churn-test')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v2' });
  });

  it('keeps a settings field changed in DSS while the prompt waits, and rolls the declared change out', async () => {
    const file = path.join(dir, 'd', 'deployments.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('environment: development', 'environment: dev'));
    const settingsPath = '/project-deployer/deployments/churn-dev/settings';
    const applied = await cliWith(
      {
        stdinIsTTY: true,
        readLine: async () => {
          // Someone sets container settings on the deployment in DSS; no manifest declares them.
          const live = await design.ok<Record<string, unknown>>('GET', settingsPath);
          await design.ok('PUT', settingsPath, { ...live, bundleContainerSettings: { baseImage: 'set-by-hand' } });
          return 'yes';
        },
      },
      'apply',
      ...both,
    );
    expect(applied.out).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    expect(applied.code).toBe(0);
    expect(await design.ok('GET', settingsPath)).toMatchObject({
      localVariables: { environment: 'dev' },
      bundleContainerSettings: { baseImage: 'set-by-hand' },
    });
  });
});
