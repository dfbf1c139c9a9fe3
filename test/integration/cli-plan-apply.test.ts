// plan, apply, apply PLANFILE and show, in-process against the simulator, on a copy of manifests-example.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { simpleGit } from 'simple-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const SECRET = 'pa55-w0rd-never-printed';
const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');

let sim: TestSimulator;
let dir: string;

async function cli(argv: string[], options: { tty?: boolean; answer?: string } = {}): Promise<CliResult> {
  return runCliCaptured(argv, {
    env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: SECRET },
    cwd: dir,
    ...options,
  });
}

const apply = (...extra: string[]) => cli(['apply', '-f', 'm', '--auto-approve', ...extra]);
const plan = (...extra: string[]) => cli(['plan', '-f', 'm', ...extra]);

function edit(file: string, from: string, to: string): void {
  const full = path.join(dir, 'm', file);
  const text = readFileSync(full, 'utf8');
  expect(text).toContain(from);
  writeFileSync(full, text.replace(from, to));
}

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-cli-'));
  cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('plan and apply against the simulator', () => {
  it('creates everything from nothing, then plans no changes and applies with zero writes', async () => {
    const first = await plan('--detailed-exitcode');
    expect(first.code).toBe(2);
    expect(first.stdout).toContain('Plan: 20 to add, 0 to change, 0 to destroy.');

    const applied = await apply();
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Apply complete! Resources: 20 added, 0 changed, 0 destroyed.');

    sim.reset({ stats: true, state: false });
    const second = await plan('--detailed-exitcode');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('No changes. DSS matches the manifests.');
    const again = await apply();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.');
    expect(sim.stats().writes).toBe(0);
  });

  it('reports a change made outside the manifests, and puts it back keeping undocumented fields', async () => {
    expect((await apply()).code).toBe(0);
    const vars = await sim.ok<{ standard: Record<string, unknown> }>('GET', '/projects/CHURN/variables/');
    await sim.ok('PUT', '/projects/CHURN/variables/', { ...vars, standard: { ...vars.standard, scoreThreshold: 0.9 }, undocumentedField: 'keep me' });
    const scenario = await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH');
    await sim.ok('PUT', '/projects/CHURN/scenarios/DAILY_REFRESH', { ...scenario, active: false, undocumentedToo: { nested: [1, 2] } });

    const drift = await plan('--detailed-exitcode');
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('~ update Project/CHURN#variables');
    expect(drift.stdout).toContain('standard.scoreThreshold: 0.9 → 0.7');
    expect(drift.stdout).toContain('~ update Scenario/CHURN/DAILY_REFRESH');
    expect(drift.stdout).toContain('Plan: 0 to add, 2 to change, 0 to destroy.');

    expect((await apply()).code).toBe(0);
    const after = await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/variables/');
    expect(after.undocumentedField).toBe('keep me');
    expect((after.standard as Record<string, unknown>).scoreThreshold).toBe(0.7);
    const scenarioAfter = await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH');
    expect(scenarioAfter.undocumentedToo).toEqual({ nested: [1, 2] });
    expect(scenarioAfter.active).toBe(true);

    sim.reset({ stats: true, state: false });
    expect((await plan()).stdout).toContain('No changes.');
    expect((await apply()).code).toBe(0);
    expect(sim.stats().writes).toBe(0);
  });

  it('updates every kind of managed field: set, merged map, exact map, grants, keyed lists, scalars', async () => {
    expect((await apply()).code).toBe(0);
    edit('projects/CHURN/project.yaml', 'tags: [churn, ml, production]', 'tags: [churn, production, retention]');
    edit('projects/CHURN/project.yaml', 'costCenter: "4210"', 'costCenter: "4211"');
    edit('projects/CHURN/project.yaml', '      sampleRows: 100000\n', '      sampleRows: 5000\n');
    edit('projects/CHURN/project.yaml', '      writeDashboards: true\n    - group: business_analysts', '      writeDashboards: false\n    - group: business_analysts');
    edit('projects/CHURN/scenario-daily-refresh.yaml', 'name: Check the scores', 'name: Check the churn scores');
    edit('projects/CHURN/scenario-daily-refresh.yaml', 'hour: 2', 'hour: 3');
    const planned = await plan();
    for (const line of [
      '~ update Project/CHURN#metadata',
      '~ update Project/CHURN#variables',
      '~ update Project/CHURN#permissions',
      '~ update Scenario/CHURN/DAILY_REFRESH',
      'Plan: 0 to add, 4 to change, 0 to destroy.',
    ]) {
      expect(planned.stdout).toContain(line);
    }
    expect((await apply()).code).toBe(0);
    const metadata = await sim.ok<{ tags: string[]; custom: { kv: Record<string, unknown> } }>('GET', '/projects/CHURN/metadata');
    expect([...metadata.tags].sort()).toEqual(['churn', 'production', 'retention']);
    expect(metadata.custom.kv).toMatchObject({ team: 'data-science', costCenter: '4211' });
    // The example names its tree, so every copy of it agrees on the owner.
    expect(metadata.custom.kv['dss-gitops']).toMatchObject({ source: 'dss-gitops-example' });
    const scenario = await sim.ok<{ triggers: Array<{ id: string; params: { hour: number } }> }>(
      'GET',
      '/projects/CHURN/scenarios/DAILY_REFRESH',
    );
    expect(scenario.triggers.find((t) => t.id === 'nightly')?.params.hour).toBe(3);
    sim.reset({ stats: true, state: false });
    expect((await plan()).stdout).toContain('No changes.');
    expect((await apply()).code).toBe(0);
    expect(sim.stats().writes).toBe(0);
  });

  it('masks secrets in text, json and markdown, and keeps them out of plan files', async () => {
    for (const output of ['text', 'json', 'markdown']) {
      const result = await plan('--output', output, '--out', `plan-${output}.json`);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('warehousePassword');
      expect(result.stdout).toContain('(sensitive value)');
      expect(result.stdout + result.stderr).not.toContain(SECRET);
      expect(readFileSync(path.join(dir, `plan-${output}.json`), 'utf8')).not.toContain(SECRET);
    }
    const json = JSON.parse((await plan('--output', 'json')).stdout) as { format_version: string };
    expect(json.format_version).toBe('1.0');
  });

  it('applies a saved plan unchanged, and shows it', async () => {
    expect((await plan('--out', 'p.json')).code).toBe(0);
    const shown = await cli(['show', 'p.json']);
    expect(shown.stdout).toContain('Plan: 20 to add, 0 to change, 0 to destroy.');
    const applied = await cli(['apply', 'p.json']);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Apply complete! Resources: 20 added, 0 changed, 0 destroyed.');
    expect((await plan()).stdout).toContain('No changes.');
    const secretAfter = await sim.ok<{ standard: Record<string, unknown> }>('GET', '/projects/CHURN/variables/');
    expect(secretAfter.standard.warehousePassword).toBe(SECRET);
  });

  it('refuses a stale plan, naming the object that changed', async () => {
    expect((await apply()).code).toBe(0);
    edit('projects/CHURN/project.yaml', 'scoreThreshold: 0.7', 'scoreThreshold: 0.75');
    expect((await plan('--out', 'p.json')).code).toBe(0);
    const scenario = await sim.ok<Record<string, unknown>>('GET', '/projects/FINANCE_REPORTING/scenarios/MONTH_END_CLOSE');
    await sim.ok('PUT', '/projects/FINANCE_REPORTING/scenarios/MONTH_END_CLOSE', { ...scenario, description: 'edited in the UI' });
    sim.reset({ stats: true, state: false });
    const refused = await cli(['apply', 'p.json']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('stale');
    expect(refused.stderr).toContain('Scenario/FINANCE_REPORTING/MONTH_END_CLOSE');
    expect(sim.stats().writes).toBe(0);
  });

  it('a failed object skips its dependents and not the rest, and apply exits 1', async () => {
    expect((await apply()).code).toBe(0);
    edit('projects/FINANCE_REPORTING/project.yaml', 'name: Finance reporting', 'name: Finance and reporting');
    edit('projects/FINANCE_REPORTING/scenario-month-end-close.yaml', 'name: Month-end close', 'name: Month end close');
    edit('projects/CHURN/project.yaml', 'scoreThreshold: 0.7', 'scoreThreshold: 0.75');
    sim.addFault({ kind: 'status', status: 500, method: 'PUT', path: '/projects/FINANCE_REPORTING/metadata' });
    const result = await apply();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Project\/FINANCE_REPORTING: update failed/);
    expect(result.stdout).toMatch(/Scenario\/FINANCE_REPORTING\/MONTH_END_CLOSE: update skipped/);
    expect(result.stdout).toMatch(/Project\/CHURN#variables: update applied/);
    const vars = await sim.ok<{ standard: Record<string, unknown> }>('GET', '/projects/CHURN/variables/');
    expect(vars.standard.scoreThreshold).toBe(0.75);
    sim.setFaults([]);
    const retry = await apply();
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain('0 added, 2 changed, 0 destroyed');
  });

  it('records the source and the commit when the manifests are in a git checkout', async () => {
    // Without `source:` in the config, the remote and the path inside the checkout name the tree.
    const config = path.join(dir, 'm/dss-gitops.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^source: .*$/m, ''));
    const git = simpleGit({ baseDir: dir });
    await git.init();
    await git.addConfig('user.email', 'ci@example.com').addConfig('user.name', 'CI');
    await git.add('.').commit('manifests');
    await git.addRemote('origin', 'https://ci:token@git.example.com/data/dss.git');
    const head = (await git.revparse(['HEAD'])).trim();
    expect((await apply()).code).toBe(0);
    const metadata = await sim.ok<{ custom: { kv: Record<string, { source: string; commit?: string; inventory: object }> } }>(
      'GET',
      '/projects/FINANCE_REPORTING/metadata',
    );
    const record = metadata.custom.kv['dss-gitops'];
    expect(record?.source).toBe('git:git.example.com/data/dss#m');
    expect(record?.commit).toBe(head);
    expect(Object.keys(record?.inventory ?? {}).sort()).toEqual([
      'Project/FINANCE_REPORTING',
      'Project/FINANCE_REPORTING#metadata',
      'Project/FINANCE_REPORTING#permissions',
      'Project/FINANCE_REPORTING#variables',
      'Scenario/FINANCE_REPORTING/MONTH_END_CLOSE',
    ]);
  });

  it('limits a run with --target, with a warning', async () => {
    const result = await plan('--target', 'Scenario/CHURN/DAILY_REFRESH');
    expect(result.stdout).toContain('Warning: --target limits this run');
    expect(result.stdout).toContain('+ create Scenario/CHURN/DAILY_REFRESH');
    expect(result.stdout).not.toContain('FINANCE_REPORTING');
    expect(result.stdout).toContain('+ create Project/CHURN\n');
    // The project's folder and its other blocks only order what is selected: they are not pulled in.
    expect(result.stdout).not.toContain('ProjectFolder/');
    expect(result.stdout).not.toContain('Project/CHURN#');
    expect(result.stdout).not.toContain('Scenario/CHURN/RETRAIN_WEEKLY');

    const applied = await apply('--target', 'Scenario/CHURN/DAILY_REFRESH');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
    expect((await sim.call('GET', '/projects/CHURN/scenarios/DAILY_REFRESH')).status).toBe(200);
  });

  it('refuses to apply without --auto-approve when not on a terminal, and asks on one', async () => {
    const refused = await cli(['apply', '-f', 'm']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--auto-approve');
    expect(sim.stats().writes).toBe(0);

    const cancelled = await cli(['apply', '-f', 'm'], { tty: true, answer: 'no' });
    expect(cancelled.code).toBe(1);
    expect(cancelled.stderr).toContain('Apply cancelled.');
    expect(sim.stats().writes).toBe(0);

    const confirmed = await cli(['apply', '-f', 'm'], { tty: true, answer: 'yes' });
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain('Apply complete! Resources: 20 added');
  });

  it('shows the plan on stderr before asking when the output is json, so stdout stays one JSON document', async () => {
    const confirmed = await cli(['apply', '-f', 'm', '--output', 'json'], { tty: true, answer: 'yes' });
    expect(confirmed.code).toBe(0);
    expect(confirmed.stderr).toContain('Plan: 20 to add, 0 to change, 0 to destroy.');
    expect(confirmed.stderr).not.toContain(SECRET);
    const report = JSON.parse(confirmed.stdout) as { summary: { add: number } };
    expect(report.summary.add).toBe(20);
  });
});

describe('reads of one run', () => {
  it('apply reads nothing plan already read: an apply that moves a project reads the folder tree once', async () => {
    expect((await apply()).code).toBe(0);
    edit('projects/CHURN/project.yaml', 'folder: Analytics/Churn', 'folder: Finance');
    const folderReads = (): Record<string, number> =>
      Object.fromEntries(Object.entries(sim.stats().byRoute).filter(([route]) => route.startsWith('GET /project-folders')));

    sim.reset({ stats: true, state: false });
    expect((await plan()).stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    const planned = folderReads();
    // ROOT, Analytics, Analytics/Churn and Finance, each once.
    expect(planned['GET /project-folders/:folderId']).toBe(4);

    sim.reset({ stats: true, state: false });
    const moved = await apply();
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');
    expect(sim.stats().byRoute['POST /project-folders/:folderId/projects/:projectKey/move']).toBe(1);
    // Plan and apply in one run read exactly what the plan alone read.
    expect(folderReads()).toEqual(planned);

    sim.reset({ stats: true, state: false });
    const again = await plan('--detailed-exitcode');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes.');
    expect(sim.stats().writes).toBe(0);
  });
});

describe('the ownership record', () => {
  it('a missing record while the objects match: the plan says apply writes it, without counting an object change', async () => {
    expect((await apply()).code).toBe(0);
    const metadata = await sim.ok<{ custom: { kv: Record<string, unknown> } }>('GET', '/projects/CHURN/metadata');
    const { 'dss-gitops': _dropped, ...kv } = metadata.custom.kv;
    await sim.ok('PUT', '/projects/CHURN/metadata', { ...metadata, custom: { ...metadata.custom, kv } });

    // Like Terraform's state refresh: announced, not counted among the changes, written by apply without asking.
    const planned = await plan('--detailed-exitcode');
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain(
      'Warning: Project/CHURN#ownership: apply writes the ownership record (the objects dss-gitops manages; the project has no record yet)',
    );
    expect(planned.stdout).toContain('No changes.');
    expect(planned.stdout).not.toContain('FINANCE_REPORTING#ownership');

    sim.reset({ stats: true, state: false });
    const applied = await apply();
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Project/CHURN#ownership: apply writes the ownership record');
    expect(applied.stdout).toContain('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.');
    // The record is the one object written; the run lock is taken and released around it (two PUTs of the variables).
    expect(sim.stats().writes).toBe(3);
    expect(sim.stats().byRoute['PUT /projects/:projectKey/metadata']).toBe(1);
    expect(sim.stats().byRoute['PUT /admin/variables']).toBe(2);

    // Current again: no note, and a no-op apply sends zero writes.
    sim.reset({ stats: true, state: false });
    const again = await plan('--detailed-exitcode');
    expect(again.stdout).not.toContain('#ownership');
    expect(again.stdout).toContain('No changes.');
    expect((await apply()).stdout).toContain('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.');
    expect(sim.stats().writes).toBe(0);
  });
});
