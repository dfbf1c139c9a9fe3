// `destroy` and `plan --destroy` against the simulator: only what this source's records list, in reverse
// dependency order, after confirmation; protected objects never.

import { beforeEach, describe, expect, it } from 'vitest';
import { useAppliedExample } from '../helpers/example-tree.js';
import type { TestSimulator } from '../helpers/simulator.js';

const example = useAppliedExample('destroy');
const { cli, exists } = example;
let sim: TestSimulator;

beforeEach(async () => {
  ({ sim } = example);
  // Made by hand: never destroyed.
  await sim.ok('POST', '/projects/', { projectKey: 'SANDBOX', name: 'Sandbox', owner: 'admin' });
  await sim.ok('POST', '/projects/CHURN/scenarios/', { id: 'ADHOC', name: 'Ad hoc', type: 'step_based' });
});

describe('plan --destroy', () => {
  it('shows the deletions with GET requests only; the protected project stays', async () => {
    sim.reset({ stats: true, state: false });
    const planned = await cli(['plan', '-f', 'm', '--destroy', '--detailed-exitcode']);
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain('- delete Project/CHURN');
    expect(planned.stdout).toContain('- delete Scenario/CHURN/DAILY_REFRESH');
    expect(planned.stdout).toContain('- delete Project/MARKETING_ATTRIBUTION');
    // FINANCE_REPORTING is annotated dss-gitops/prune: "false" in the example.
    expect(planned.stdout).not.toContain('- delete Project/FINANCE_REPORTING');
    expect(planned.stdout).toContain('Project/FINANCE_REPORTING is protected');
    expect(planned.stdout).toContain('- delete Scenario/FINANCE_REPORTING/MONTH_END_CLOSE');
    expect(planned.stdout).toContain('are in no ownership record and are not destroyed: ProjectFolder/Analytics,');
    expect(planned.stdout).not.toContain('SANDBOX');
    expect(planned.stdout).not.toContain('ADHOC');
    expect(planned.stdout).toContain('Plan: 0 to add, 0 to change, 7 to destroy.');
    expect(sim.stats().writes).toBe(0);
    expect((await cli(['plan', '-f', 'm', '--destroy'])).stdout).toBe(planned.stdout);
  });

  it('refuses --out', async () => {
    const refused = await cli(['plan', '-f', 'm', '--destroy', '--out', 'p.json']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--destroy takes no --out');
  });
});

describe('destroy', () => {
  it('asks for yes, deletes what this source manages, and leaves hand-made and protected objects', async () => {
    const cancelled = await cli(['destroy', '-f', 'm'], { tty: true, answer: 'no' });
    expect(cancelled.code).toBe(1);
    expect(cancelled.stderr).toContain('Destroy cancelled.');
    expect(await exists('/projects/CHURN/metadata')).toBe(true);

    const destroyed = await cli(['destroy', '-f', 'm'], { tty: true, answer: 'yes' });
    expect(destroyed.stderr).toBe('');
    expect(destroyed.code).toBe(0);
    expect(destroyed.stdout).toContain('Resources: 0 added, 0 changed, 7 destroyed.');
    expect(await exists('/projects/CHURN/metadata')).toBe(false);
    expect(await exists('/projects/MARKETING_ATTRIBUTION/metadata')).toBe(false);
    // Protection is per object: the annotated project stays, its unannotated scenario goes.
    expect(await exists('/projects/FINANCE_REPORTING/metadata')).toBe(true);
    expect(await exists('/projects/FINANCE_REPORTING/scenarios/MONTH_END_CLOSE')).toBe(false);
    expect((await cli(['state', 'list', '-f', 'm'])).stdout).toBe(
      'Project/FINANCE_REPORTING\nProject/FINANCE_REPORTING#metadata\nProject/FINANCE_REPORTING#permissions\nProject/FINANCE_REPORTING#variables\n',
    );
    expect(await exists('/projects/SANDBOX/metadata')).toBe(true);

    sim.reset({ stats: true, state: false });
    const again = await cli(['destroy', '-f', 'm', '--auto-approve']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 destroyed');
    expect(sim.stats().writes).toBe(0);
  });

  it('--target deletes only that object and updates the record', async () => {
    const destroyed = await cli(['destroy', '-f', 'm', '--auto-approve', '--target', 'Scenario/CHURN/RETRAIN_WEEKLY']);
    expect(destroyed.code).toBe(0);
    expect(destroyed.stdout).toContain('1 destroyed');
    expect(await exists('/projects/CHURN/scenarios/RETRAIN_WEEKLY')).toBe(false);
    expect(await exists('/projects/CHURN/scenarios/DAILY_REFRESH')).toBe(true);
    expect((await cli(['state', 'list', '-f', 'm'])).stdout).not.toContain('RETRAIN_WEEKLY');
  });

  it('refuses a protected target, an unknown one, and a pipeline without --auto-approve; deletes nothing', async () => {
    sim.reset({ stats: true, state: false });
    const tagged = await sim.ok<{ tags: string[] }>('GET', '/projects/MARKETING_ATTRIBUTION/metadata');
    await sim.ok('PUT', '/projects/MARKETING_ATTRIBUTION/metadata', { ...tagged, tags: [...tagged.tags, 'dss-gitops-protected'] });
    sim.reset({ stats: true, state: false });
    const protectedTarget = await cli(['destroy', '-f', 'm', '--auto-approve', '--target', 'Scenario/MARKETING_ATTRIBUTION/REFRESH_ATTRIBUTION']);
    expect(protectedTarget.code).toBe(1);
    expect(protectedTarget.stderr).toContain(
      'destroy never deletes a protected object: Scenario/MARKETING_ATTRIBUTION/REFRESH_ATTRIBUTION is protected (its project is tagged dss-gitops-protected in DSS)',
    );
    const annotated = await cli(['destroy', '-f', 'm', '--auto-approve', '--target', 'Project/FINANCE_REPORTING']);
    expect(annotated.code).toBe(1);
    expect(annotated.stderr).toContain('Project/FINANCE_REPORTING is protected');
    const unknown = await cli(['destroy', '-f', 'm', '--auto-approve', '--target', 'Scenario/CHURN/ADHOC']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--target names no object this source manages (see `dss-gitops state list`): Scenario/CHURN/ADHOC');
    const unattended = await cli(['destroy', '-f', 'm']);
    expect(unattended.code).toBe(1);
    expect(unattended.stderr).toContain('pass --auto-approve');
    expect(sim.stats().writes).toBe(0);
  });
});
