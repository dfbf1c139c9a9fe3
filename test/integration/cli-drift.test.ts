// `drift`, in-process against the simulator on a copy of manifests-example: drift vs pending vs unmanaged after
// each kind of change, the exit codes, the three outputs, and not a single write.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonDriftReport } from '../../src/cli/drift-output.js';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');

let sim: TestSimulator;
let dir: string;

async function cli(argv: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCliCaptured(argv, {
    env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: 'never-printed', ...env },
    cwd: dir,
  });
}

/** Runs drift and checks that it wrote nothing to DSS. */
async function drift(...extra: string[]): Promise<CliResult> {
  sim.reset({ stats: true, state: false });
  const result = await cli(['drift', '-f', 'm', ...extra]);
  expect(sim.stats().writes).toBe(0);
  return result;
}

async function driftJson(): Promise<{ code: number; report: JsonDriftReport }> {
  const result = await drift('--output', 'json');
  return { code: result.code, report: JSON.parse(result.stdout) as JsonDriftReport };
}

const addresses = (entries: Array<{ address: string }>): string[] => entries.map((e) => e.address);

function edit(file: string, from: string, to: string): void {
  const full = path.join(dir, 'm', file);
  const text = readFileSync(full, 'utf8');
  expect(text).toContain(from);
  writeFileSync(full, text.replace(from, to));
}

async function changeThresholdInDss(value: number): Promise<void> {
  const vars = await sim.ok<{ standard: Record<string, unknown> }>('GET', '/projects/CHURN/variables/');
  await sim.ok('PUT', '/projects/CHURN/variables/', { ...vars, standard: { ...vars.standard, scoreThreshold: value } });
}

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-drift-'));
  cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('drift classification', () => {
  it('reports never-applied objects as pending and exits 0', async () => {
    const { code, report } = await driftJson();
    expect(code).toBe(0);
    expect(report.summary).toEqual({ drifted: 0, pending: 20, unmanaged: 0, in_sync: 0 });
    expect(report.pending.every((e) => e.class === 'pending' && e.actions[0] === 'create')).toBe(true);
  });

  it('is in sync after apply, and exits 0 with zero writes', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const result = await drift();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No drift. DSS matches the manifests.');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('Drift: 0 drifted, 0 pending, 0 unmanaged.');
  });

  it('a change made in DSS is drift (exit 2), with who changed it and when', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    await changeThresholdInDss(0.9);
    const text = await drift();
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('Drift (changed in DSS since the last apply');
    expect(text.stdout).toContain('~ update Project/CHURN#variables');
    expect(text.stdout).toContain('standard.scoreThreshold: 0.9 → 0.7');
    expect(text.stdout).toContain('Drift: 1 drifted, 0 pending, 0 unmanaged.');

    const { code, report } = await driftJson();
    expect(code).toBe(2);
    expect(addresses(report.drift)).toEqual(['Project/CHURN#variables']);
    expect(report.drift[0]?.class).toBe('drift');
    expect(report.drift[0]?.field_changes).toMatchObject([{ path: 'standard.scoreThreshold', before: 0.9, after: 0.7 }]);
  });

  it('a secret rotated only in the environment is drift (the spec hash holds no secret), and its values show nowhere', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    sim.reset({ stats: true, state: false });
    const result = await cli(['drift', '-f', 'm', '--output', 'json'], { WAREHOUSE_PASSWORD: 'rotated-password' });
    expect(sim.stats().writes).toBe(0);
    const report = JSON.parse(result.stdout) as JsonDriftReport;
    expect(result.code).toBe(2);
    expect(addresses(report.drift)).toEqual(['Project/CHURN#variables']);
    expect(report.pending).toEqual([]);
    expect(result.stdout).not.toMatch(/never-printed|rotated-password/);
  });

  it('says who changed a drifted object and when, from the versionTag DSS keeps', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const scenario = await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH');
    await sim.ok('PUT', '/projects/CHURN/scenarios/DAILY_REFRESH', { ...scenario, active: false });
    const text = await drift();
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/# last changed in DSS by \S+ at \d{4}-\d\d-\d\dT/);
    const { report } = await driftJson();
    expect(report.drift).toMatchObject([{ address: 'Scenario/CHURN/DAILY_REFRESH', changed_by: expect.any(String), changed_at: expect.any(String) }]);
  });

  it('an object deleted in DSS since the last apply is drift', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    await sim.ok('DELETE', '/projects/CHURN/scenarios/EXPORT_SCORES');
    const { code, report } = await driftJson();
    expect(code).toBe(2);
    expect(report.drift).toMatchObject([{ address: 'Scenario/CHURN/EXPORT_SCORES', actions: ['create'] }]);
  });

  it('a manifest change not applied yet is pending, and exits 0', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    edit('projects/CHURN/project.yaml', 'scoreThreshold: 0.7', 'scoreThreshold: 0.75');
    const { code, report } = await driftJson();
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ drifted: 0, pending: 1, unmanaged: 0 });
    expect(report.pending).toMatchObject([{ address: 'Project/CHURN#variables', class: 'pending', reason: 'the manifest changed since the last apply' }]);
  });

  it('a scenario created in DSS under a managed project is unmanaged, and exits 0', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    await sim.ok('POST', '/projects/CHURN/scenarios/', { id: 'ADHOC_FIX', name: 'Ad hoc fix', type: 'step_based', params: {} });
    const text = await drift();
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Unmanaged (');
    expect(text.stdout).toContain('? unmanaged Scenario/CHURN/ADHOC_FIX');
    const { report } = await driftJson();
    expect(report.unmanaged).toMatchObject([{ address: 'Scenario/CHURN/ADHOC_FIX', kind: 'Scenario', class: 'unmanaged' }]);
    expect(report.summary).toMatchObject({ drifted: 0, pending: 0, unmanaged: 1 });
  });

  it('a scenario removed from the manifests after apply is a pending deletion, not unmanaged', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    rmSync(path.join(dir, 'm', 'projects/CHURN/scenario-retrain-weekly.yaml'));
    const { code, report } = await driftJson();
    expect(code).toBe(0);
    expect(report.unmanaged).toEqual([]);
    expect(report.pending).toMatchObject([{ address: 'Scenario/CHURN/RETRAIN_WEEKLY', actions: ['delete'] }]);
  });

  it('both at once: drift on one object, pending on another, unmanaged a third; a live change under a manifest change is pending', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    await changeThresholdInDss(0.9);
    const scenario = await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH');
    await sim.ok('PUT', '/projects/CHURN/scenarios/DAILY_REFRESH', { ...scenario, active: false });
    edit('projects/CHURN/scenario-daily-refresh.yaml', 'hour: 2', 'hour: 3');
    await sim.ok('POST', '/projects/FINANCE_REPORTING/scenarios/', { id: 'HAND_MADE', name: 'Hand made', type: 'step_based', params: {} });

    const { code, report } = await driftJson();
    expect(code).toBe(2);
    expect(addresses(report.drift)).toEqual(['Project/CHURN#variables']);
    expect(addresses(report.pending)).toEqual(['Scenario/CHURN/DAILY_REFRESH']);
    expect(addresses(report.unmanaged)).toEqual(['Scenario/FINANCE_REPORTING/HAND_MADE']);
    expect(report.summary).toEqual({ drifted: 1, pending: 1, unmanaged: 1, in_sync: 18 });

    const markdown = await drift('--output', 'markdown');
    expect(markdown.code).toBe(2);
    expect(markdown.stdout).toContain('### dss-gitops drift');
    expect(markdown.stdout).toContain('**Drift: 1 drifted, 1 pending, 1 unmanaged.**');
    expect(markdown.stdout).toContain('#### Drift');
    expect(markdown.stdout).toContain('#### Pending');
    expect(markdown.stdout).toContain('#### Unmanaged');
    expect(markdown.stdout).toContain('<code>Scenario/FINANCE_REPORTING/HAND_MADE</code>');
  });
});

describe('drift exit codes and errors', () => {
  it('exits 1 on invalid manifests, before any request', async () => {
    writeFileSync(path.join(dir, 'm', 'broken.yaml'), 'apiVersion: dss-gitops/v1\nkind: Scenario\nmetadata: {}\n');
    sim.reset({ stats: true, state: false });
    const result = await cli(['drift', '-f', 'm']);
    expect(result.code).toBe(1);
    expect(sim.stats().total).toBe(0);
  });

  it('exits 1 when DSS cannot be reached', async () => {
    const result = await cli(['drift', '-f', 'm'], { DSS_URL: 'http://127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error:');
  });

  it('never prints a secret value, even when the secret variable drifted', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const result = await cli(['drift', '-f', 'm', '--output', 'json'], { WAREHOUSE_PASSWORD: 'rotated-secret-value' });
    expect(result.stdout).not.toContain('rotated-secret-value');
    expect(result.stdout).not.toContain('never-printed');
  });
});
