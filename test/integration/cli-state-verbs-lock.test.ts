// destroy, state rm and import write to DSS like apply does, so they take the same run lock: another run's lock
// refuses them before anything is written, and they release their own when done.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useAppliedExample } from '../helpers/example-tree.js';
import type { TestSimulator } from '../helpers/simulator.js';

const LOCK = 'dss-gitops.lock';
const OTHER_HOLDER = 'ci:runner@build-7';

const example = useAppliedExample('verbs-lock');
const { cli, exists } = example;
let sim: TestSimulator;
let dir: string;

async function variables(): Promise<Record<string, unknown>> {
  return sim.ok<Record<string, unknown>>('GET', '/admin/variables/');
}

/** Another run's lock, unexpired, as that run would have written it. */
async function holdLockElsewhere(): Promise<void> {
  const now = Date.now();
  await sim.ok('PUT', '/admin/variables/', {
    ...(await variables()),
    [LOCK]: {
      id: 'other-run-lock-id',
      holder: OTHER_HOLDER,
      reason: 'apply from git:github.com/team/dss#manifests',
      createdAt: new Date(now - 60_000).toISOString(),
      expiresAt: new Date(now + 600_000).toISOString(),
      generation: 3,
    },
  });
}

async function recordedAddresses(): Promise<string[]> {
  return (await cli(['state', 'list', '-f', 'm'])).stdout.trimEnd().split('\n');
}

beforeEach(async () => {
  ({ sim, dir } = example);
});

describe('another run holds the lock', () => {
  beforeEach(holdLockElsewhere);

  it('destroy refuses naming the holder, and deletes nothing', async () => {
    sim.reset({ stats: true, state: false });
    const run = await cli(['destroy', '-f', 'm', '--auto-approve']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(OTHER_HOLDER);
    expect(run.stderr).toContain('force-unlock other-run-lock-id');
    expect(sim.stats().writes).toBe(0);
    expect(await exists('/projects/CHURN/metadata')).toBe(true);
  });

  it('state rm refuses naming the holder, and the record keeps the address', async () => {
    sim.reset({ stats: true, state: false });
    const run = await cli(['state', 'rm', '-f', 'm', 'Scenario/CHURN/DAILY_REFRESH']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(OTHER_HOLDER);
    expect(sim.stats().writes).toBe(0);
    expect(await recordedAddresses()).toContain('Scenario/CHURN/DAILY_REFRESH');
  });

  it('import refuses naming the holder and records nothing', async () => {
    await sim.ok('POST', '/projects/CHURN/scenarios/', { id: 'ADHOC', name: 'Ad hoc', type: 'step_based' });
    sim.reset({ stats: true, state: false });
    const run = await cli(['import', '-f', 'm', 'Scenario/CHURN/ADHOC']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(OTHER_HOLDER);
    expect(sim.stats().writes).toBe(0);
    expect(await recordedAddresses()).not.toContain('Scenario/CHURN/ADHOC');
  });

  it('--lock=false runs without it, with a warning, and leaves the other lock in place', async () => {
    const run = await cli(['state', 'rm', '-f', 'm', '--lock=false', 'Scenario/CHURN/DAILY_REFRESH']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('running without the run lock');
    expect(await recordedAddresses()).not.toContain('Scenario/CHURN/DAILY_REFRESH');
    expect((await variables())[LOCK]).toMatchObject({ id: 'other-run-lock-id', holder: OTHER_HOLDER });
  });
});

describe('the lock is free', () => {
  it('destroy takes the lock while it deletes and releases it', async () => {
    sim.reset({ stats: true, state: false });
    const run = await cli(['destroy', '-f', 'm', '--auto-approve', '--target', 'Project/MARKETING_ATTRIBUTION']);
    expect(run.code).toBe(0);
    expect(await exists('/projects/MARKETING_ATTRIBUTION/metadata')).toBe(false);
    expect(sim.stats().byRoute['PUT /admin/variables']).toBe(2);
    const lock = (await variables())[LOCK] as Record<string, unknown> | undefined;
    expect(lock?.id).toBeUndefined();
  });

  it('import takes and releases the lock around its record write', async () => {
    await sim.ok('POST', '/projects/CHURN/scenarios/', { id: 'ADHOC', name: 'Ad hoc', type: 'step_based' });
    sim.reset({ stats: true, state: false });
    const run = await cli(['import', '-f', 'm', 'Scenario/CHURN/ADHOC']);
    expect(run.code).toBe(0);
    expect(existsSync(path.join(dir, 'm', 'CHURN', 'scenarios', 'ADHOC.yaml'))).toBe(true);
    expect(sim.stats().byRoute['PUT /admin/variables']).toBe(2);
    expect(await recordedAddresses()).toContain('Scenario/CHURN/ADHOC');
  });
});
