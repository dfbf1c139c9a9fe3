// `state list` and `state rm` against the simulator: what this tree manages as its ownership records say, and
// forgetting an object without deleting it.

import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useAppliedExample } from '../helpers/example-tree.js';
import type { TestSimulator } from '../helpers/simulator.js';

const example = useAppliedExample('state');
const { cli, exists } = example;
let sim: TestSimulator;
let dir: string;

beforeEach(async () => {
  ({ sim, dir } = example);
  // Made by hand: in no record.
  await sim.ok('POST', '/projects/', { projectKey: 'SANDBOX', name: 'Sandbox', owner: 'admin' });
});

describe('state list', () => {
  it('prints every recorded address of this source, one per line, by scope, with GET requests only', async () => {
    sim.reset({ stats: true, state: false });
    const listed = await cli(['state', 'list', '-f', 'm']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    // Grouped by scope (project), sorted in each; the hand-made SANDBOX is in no record.
    expect(lines).toEqual([
      'Project/CHURN',
      'Project/CHURN#metadata',
      'Project/CHURN#permissions',
      'Project/CHURN#variables',
      'Scenario/CHURN/DAILY_REFRESH',
      'Scenario/CHURN/EXPORT_SCORES',
      'Scenario/CHURN/RETRAIN_WEEKLY',
      'Project/FINANCE_REPORTING',
      'Project/FINANCE_REPORTING#metadata',
      'Project/FINANCE_REPORTING#permissions',
      'Project/FINANCE_REPORTING#variables',
      'Scenario/FINANCE_REPORTING/MONTH_END_CLOSE',
      'Project/MARKETING_ATTRIBUTION',
      'Project/MARKETING_ATTRIBUTION#metadata',
      'Project/MARKETING_ATTRIBUTION#permissions',
      'Project/MARKETING_ATTRIBUTION#variables',
      'Scenario/MARKETING_ATTRIBUTION/REFRESH_ATTRIBUTION',
    ]);
    expect(sim.stats().writes).toBe(0);
    expect((await cli(['state', 'list', '-f', 'm'])).stdout).toBe(listed.stdout);
  });

  it('--output json is one document with the scopes, hashes and protection', async () => {
    const listed = await cli(['state', 'list', '-f', 'm', '--output', 'json']);
    expect(listed.code).toBe(0);
    const doc = JSON.parse(listed.stdout) as {
      format_version: string;
      source: string;
      scopes: { scope: string; addresses: { address: string; hash: string; protected: boolean }[] }[];
    };
    expect(doc.format_version).toBe('1.0');
    expect(doc.source).toBe('dss-gitops-example');
    expect(doc.scopes.map((s) => s.scope)).toEqual(['Project/CHURN', 'Project/FINANCE_REPORTING', 'Project/MARKETING_ATTRIBUTION']);
    const finance = doc.scopes[1]?.addresses.find((a) => a.address === 'Project/FINANCE_REPORTING');
    expect(finance?.protected).toBe(true);
    expect(finance?.hash).toMatch(/\S/);
  });

  it('lists nothing for another source', async () => {
    const other = await cli(['state', 'list', '-f', 'm/projects/CHURN']);
    // The example's config is not at the root of this -f: the source is the directory, which owns nothing.
    expect(other.code).toBe(0);
    expect(other.stdout).toBe('');
    expect(other.stderr).toContain('No object is recorded as managed by dir:');
  });
});

describe('state rm', () => {
  it('forgets an object without deleting it; a later prune leaves it alone', async () => {
    const removed = await cli(['state', 'rm', '-f', 'm', 'Scenario/CHURN/RETRAIN_WEEKLY']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('Removed Scenario/CHURN/RETRAIN_WEEKLY');
    expect(await exists('/projects/CHURN/scenarios/RETRAIN_WEEKLY')).toBe(true);
    expect((await cli(['state', 'list', '-f', 'm'])).stdout).not.toContain('Scenario/CHURN/RETRAIN_WEEKLY');

    rmSync(path.join(dir, 'm/projects/CHURN/scenario-retrain-weekly.yaml'));
    const pruned = await cli(['apply', '-f', 'm', '--auto-approve', '--prune']);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain('0 destroyed');
    expect(await exists('/projects/CHURN/scenarios/RETRAIN_WEEKLY')).toBe(true);
  });

  it('an object still declared is recorded again by the next apply, with no object change', async () => {
    expect((await cli(['state', 'rm', '-f', 'm', 'Scenario/CHURN/DAILY_REFRESH'])).code).toBe(0);
    const planned = await cli(['plan', '-f', 'm']);
    expect(planned.stdout).toContain('No changes.');
    expect(planned.stdout).toContain('Project/CHURN#ownership: apply writes the ownership record');
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    expect((await cli(['state', 'list', '-f', 'm'])).stdout).toContain('Scenario/CHURN/DAILY_REFRESH\n');
  });

  it('an object address drops its blocks, and the rest of the record and the other fields survive', async () => {
    const before = await sim.ok<{ custom: { kv: Record<string, unknown> } }>('GET', '/projects/MARKETING_ATTRIBUTION/metadata');
    expect((await cli(['state', 'rm', '-f', 'm', 'Project/MARKETING_ATTRIBUTION'])).code).toBe(0);
    const listed = (await cli(['state', 'list', '-f', 'm'])).stdout;
    expect(listed).not.toMatch(/^Project\/MARKETING_ATTRIBUTION/m);
    expect(listed).toContain('Scenario/MARKETING_ATTRIBUTION/');
    const after = await sim.ok<{ custom: { kv: Record<string, unknown> } }>('GET', '/projects/MARKETING_ATTRIBUTION/metadata');
    const { 'dss-gitops': _before, ...otherBefore } = before.custom.kv;
    const { 'dss-gitops': _after, ...otherAfter } = after.custom.kv;
    expect(otherAfter).toEqual(otherBefore);
  });

  it('refuses an address no record of this source lists, and writes nothing', async () => {
    sim.reset({ stats: true, state: false });
    const refused = await cli(['state', 'rm', '-f', 'm', 'Scenario/CHURN/DAILY_REFRESH', 'Scenario/CHURN/NOPE', 'Project/SANDBOX']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not managed by dss-gitops-example (no ownership record lists it): Project/SANDBOX, Scenario/CHURN/NOPE');
    expect(sim.stats().writes).toBe(0);
    const outside = await cli(['state', 'rm', '-f', 'm', 'Infra/prod']);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain('only the objects of projects are recorded');
  });
});
