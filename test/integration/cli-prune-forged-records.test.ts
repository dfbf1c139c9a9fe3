// Ownership records are input: anyone who may write a project's metadata may have edited them. A forged record
// never makes `apply --prune` delete anything outside the project that holds it, and garbage never stops a run.

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');
const HASH = '0'.repeat(64);

let sim: TestSimulator;
let dir: string;

async function cli(argv: string[]): Promise<CliResult> {
  return runCliCaptured(argv, { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: 'pw' }, cwd: dir });
}

const exists = async (p: string): Promise<boolean> => (await sim.call('GET', p)).status === 200;

type Metadata = { custom?: { kv?: Record<string, unknown> } };

/** Sets the `dss-gitops` entry of a project's metadata kv as someone with write access there could. */
async function forgeRecord(projectKey: string, entry: unknown): Promise<void> {
  const metadata = await sim.ok<Metadata>('GET', `/projects/${projectKey}/metadata`);
  const custom = metadata.custom ?? {};
  await sim.ok('PUT', `/projects/${projectKey}/metadata`, { ...metadata, custom: { ...custom, kv: { ...custom.kv, 'dss-gitops': entry } } });
}

async function recordOf(projectKey: string): Promise<{ source: string; inventory: Record<string, unknown> }> {
  const metadata = await sim.ok<Metadata>('GET', `/projects/${projectKey}/metadata`);
  return metadata.custom?.kv?.['dss-gitops'] as { source: string; inventory: Record<string, unknown> };
}

async function handMadeProject(projectKey: string): Promise<void> {
  await sim.ok('POST', '/projects/', { projectKey, name: projectKey, owner: 'admin' });
}

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-forged-'));
  cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
  expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('apply --prune with forged ownership records', () => {
  it('deletes nothing outside the record scope, warns about every entry it ignores, and still prunes what it owns', async () => {
    await handMadeProject('SANDBOX');
    await sim.ok('POST', '/project-folders/ROOT/children?name=Handmade');
    const folders = await sim.ok<{ childrenIds: string[] }>('GET', '/project-folders/ROOT');
    expect(folders.childrenIds.length).toBeGreaterThan(0);
    const stages = await sim.ok<{ id: string }[]>('GET', '/project-deployer/stages');
    await sim.ok('POST', '/project-deployer/infras', { id: 'prod-infra', stage: stages[0]?.id });
    // Another tree's project, with its own scenario and record.
    await handMadeProject('OTHER_TREE');
    await sim.ok('POST', '/projects/OTHER_TREE/scenarios/', { id: 'JOB', name: 'Job', type: 'step_based' });
    await forgeRecord('OTHER_TREE', { version: 1, source: 'git:github.com/other/tree#.', inventory: { 'Project/OTHER_TREE': { hash: HASH } } });
    // Garbage in other projects' records: never a crash, never a deletion.
    await handMadeProject('GARBAGE');
    await forgeRecord('GARBAGE', '{"source": "dss-gitops-example", "inventory": {"Project/GARBAGE": ');
    await handMadeProject('WRONG_TYPES');
    await forgeRecord('WRONG_TYPES', { source: 'dss-gitops-example', inventory: ['Project/WRONG_TYPES', 'Project/SANDBOX'] });
    await handMadeProject('AN_ARRAY');
    await forgeRecord('AN_ARRAY', [{ source: 'dss-gitops-example', inventory: { 'Project/SANDBOX': { hash: HASH } } }]);

    // One metadata edit on CHURN, whose record the example tree wrote, reaching for everything else.
    const churn = await recordOf('CHURN');
    const foreign = [
      'Project/SANDBOX',
      'Project/OTHER_TREE',
      'Scenario/OTHER_TREE/JOB',
      'Project/MARKETING_ATTRIBUTION',
      'ProjectFolder/Handmade',
      'Infra/prod-infra',
    ];
    await forgeRecord('CHURN', {
      ...churn,
      inventory: {
        ...churn.inventory,
        ...Object.fromEntries(foreign.map((a) => [a, { hash: HASH }])),
        'Scenario/CHURN/NOT_OURS': { hash: 'not a hash' },
      },
    });
    // A legitimately owned object leaves the manifests.
    rmSync(path.join(dir, 'm/projects/CHURN/scenario-retrain-weekly.yaml'));
    const applied = await cli(['apply', '-f', 'm', '--auto-approve', '--prune']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('- delete Scenario/CHURN/RETRAIN_WEEKLY');
    expect(applied.stdout).toContain('Apply complete! Resources: 0 added, 0 changed, 1 destroyed.');
    expect(await exists('/projects/CHURN/scenarios/RETRAIN_WEEKLY')).toBe(false);

    for (const address of foreign) {
      expect(applied.stdout).toContain(`Project/CHURN#ownership: entry "${address}" is ignored: it is not an object of project CHURN`);
    }
    expect(applied.stdout).toContain('Project/CHURN#ownership: entry "Scenario/CHURN/NOT_OURS" is ignored: its hash is not a spec hash');
    expect(applied.stdout).toMatch(/Project\/GARBAGE#ownership: the ownership record read from DSS is ignored: it is a string/);
    expect(applied.stdout).toMatch(/Project\/WRONG_TYPES#ownership: the ownership record read from DSS is ignored: its inventory is an array/);
    expect(applied.stdout).toMatch(/Project\/AN_ARRAY#ownership: the ownership record read from DSS is ignored: it is an array/);

    for (const key of ['SANDBOX', 'OTHER_TREE', 'MARKETING_ATTRIBUTION', 'GARBAGE', 'WRONG_TYPES', 'AN_ARRAY']) {
      expect(await exists(`/projects/${key}/metadata`)).toBe(true);
    }
    expect(await exists('/projects/OTHER_TREE/scenarios/JOB')).toBe(true);
    expect(await exists('/project-deployer/infras/prod-infra/settings')).toBe(true);
    const after = await sim.ok<{ childrenIds: string[] }>('GET', '/project-folders/ROOT');
    expect(after.childrenIds).toEqual(folders.childrenIds);

    // CHURN's record was written back with its own objects only.
    const rewritten = await recordOf('CHURN');
    expect(Object.keys(rewritten.inventory).every((a) => a === 'Project/CHURN' || a.startsWith('Project/CHURN#') || a.startsWith('Scenario/CHURN/'))).toBe(true);
    expect(Object.keys(rewritten.inventory)).not.toContain('Scenario/CHURN/RETRAIN_WEEKLY');

    sim.reset({ stats: true, state: false });
    const again = await cli(['apply', '-f', 'm', '--auto-approve', '--prune']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.');
    expect(again.stdout).not.toContain('Project/CHURN#ownership');
    expect(sim.stats().writes).toBe(0);
  });

  it('drift names a forged entry instead of reporting it as a pending deletion', async () => {
    await handMadeProject('SANDBOX');
    const churn = await recordOf('CHURN');
    await forgeRecord('CHURN', { ...churn, inventory: { ...churn.inventory, 'Project/SANDBOX': { hash: HASH } } });
    const drift = await cli(['drift', '-f', 'm', '--output', 'json']);
    const report = JSON.parse(drift.stdout) as { pending: { address: string }[]; warnings: string[] };
    expect(report.pending.map((e) => e.address)).not.toContain('Project/SANDBOX');
    expect(report.warnings).toContain(
      'Project/CHURN#ownership: entry "Project/SANDBOX" is ignored: it is not an object of project CHURN, and a project\'s record only lists that project\'s objects',
    );
  });
});
