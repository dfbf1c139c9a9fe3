// `plan --changed-since GITREF` in a real git repository against the simulator: only the objects of changed
// manifests (and what depends on them) are planned; a change in DSS elsewhere stays out of the plan.

import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { captureIo, editFile, manifestRepository } from '../helpers/watch.js';

let sim: TestSimulator;
let repo: ReturnType<typeof manifestRepository>;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const captured = captureIo({ DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: 'never-printed' }, repo.dir);
  const code = await runCli(argv, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

const plan = (...extra: string[]) => cli('plan', '-f', 'manifests', ...extra);
const file = (relative: string): string => path.join(repo.manifests, relative);

interface JsonPlan {
  resource_changes: Array<{ address: string }>;
  warnings: string[];
}

async function planJson(...extra: string[]): Promise<{ code: number; plan: JsonPlan }> {
  const result = await plan('--output', 'json', ...extra);
  return { code: result.code, plan: JSON.parse(result.stdout) as JsonPlan };
}

async function setVariable(project: string, name: string, value: unknown): Promise<void> {
  const vars = await sim.ok<{ standard: Record<string, unknown> }>('GET', `/projects/${project}/variables/`);
  await sim.ok('PUT', `/projects/${project}/variables/`, { ...vars, standard: { ...vars.standard, [name]: value } });
}

beforeEach(async () => {
  sim = await startTestSimulator();
  repo = manifestRepository();
  expect((await cli('apply', '-f', 'manifests', '--auto-approve')).code).toBe(0);
});

afterEach(async () => {
  await sim.close();
  rmSync(repo.dir, { recursive: true, force: true });
});

describe('plan --changed-since', () => {
  it('plans nothing, and sends nothing, when no manifest changed', async () => {
    sim.reset({ stats: true, state: false });
    const result = await plan('--changed-since', 'HEAD', '--detailed-exitcode');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Warning: --changed-since HEAD: no manifest changed, so 0 of 20 objects are planned');
    expect(result.stdout).toContain('No changes.');
    expect(sim.stats().total).toBe(0);
  });

  it('plans only the objects of changed manifests, committed or not, and leaves the rest out', async () => {
    editFile(file('projects/FINANCE_REPORTING/scenario-month-end-close.yaml'), 'active: true', 'active: false');
    const committed = repo.commitAll('pause month-end close');
    editFile(file('projects/CHURN/scenario-daily-refresh.yaml'), 'hour: 2', 'hour: 3');
    // A change made in DSS to an object whose manifest did not change: a full plan shows it, this one must not.
    await setVariable('MARKETING_ATTRIBUTION', 'unrelated', 'changed in DSS');

    const sinceHead = await planJson('--changed-since', 'HEAD');
    expect(sinceHead.plan.resource_changes.map((c) => c.address)).toEqual(['Scenario/CHURN/DAILY_REFRESH']);
    const warning = sinceHead.plan.warnings[0] ?? '';
    expect(warning).toMatch(/^--changed-since HEAD selects (\d+) of 20 objects \(1 in changed manifests, plus what depends on them and what they depend on\); prune is disabled$/);
    expect(sinceHead.plan.warnings.some((w) => w.startsWith('--target'))).toBe(false);
    const selected = Number(/selects (\d+)/.exec(warning)?.[1]);
    expect(selected).toBeGreaterThan(1);
    expect(selected).toBeLessThan(20);

    const sinceBefore = await planJson('--changed-since', `${committed}~1`);
    expect(sinceBefore.plan.resource_changes.map((c) => c.address)).toEqual([
      'Scenario/CHURN/DAILY_REFRESH',
      'Scenario/FINANCE_REPORTING/MONTH_END_CLOSE',
    ]);

    const full = await planJson();
    expect(full.plan.resource_changes.map((c) => c.address)).toContain('Project/MARKETING_ATTRIBUTION#variables');
  });

  it('plans what depends on a changed object: a project change brings in its scenarios', async () => {
    editFile(file('projects/CHURN/project.yaml'), 'scoreThreshold: 0.7', 'scoreThreshold: 0.8');
    // Drift on a CHURN scenario shows because the scenario depends on the changed project; FINANCE's does not.
    for (const [project, id] of [['CHURN', 'EXPORT_SCORES'], ['FINANCE_REPORTING', 'MONTH_END_CLOSE']] as const) {
      const scenario = await sim.ok<Record<string, unknown>>('GET', `/projects/${project}/scenarios/${id}`);
      await sim.ok('PUT', `/projects/${project}/scenarios/${id}`, { ...scenario, active: !scenario.active });
    }
    const { plan: result } = await planJson('--changed-since', 'HEAD');
    expect(result.resource_changes.map((c) => c.address)).toEqual(['Project/CHURN#variables', 'Scenario/CHURN/EXPORT_SCORES']);
  });

  it('a changed scenario script selects its scenario', async () => {
    const script = file('projects/CHURN/scripts/export_scores.py');
    writeFileSync(script, '# exports the churn scores\nprint("changed")\n');
    const { plan: result } = await planJson('--changed-since', 'HEAD');
    expect(result.resource_changes.map((c) => c.address)).toEqual(['Scenario/CHURN/EXPORT_SCORES']);
  });

  it('a changed configuration plans everything', async () => {
    editFile(file('dss-gitops.yaml'), '\n', '\n# reviewed\n');
    await setVariable('MARKETING_ATTRIBUTION', 'unrelated', 'changed in DSS');
    const { plan: result } = await planJson('--changed-since', 'HEAD');
    expect(result.warnings[0]).toBe('--changed-since HEAD: the configuration or a --var-file changed, so all 20 objects are planned');
    expect(result.resource_changes.map((c) => c.address)).toEqual(['Project/MARKETING_ATTRIBUTION#variables']);
  });

  it('names deleted manifest files', async () => {
    rmSync(file('projects/CHURN/scenario-retrain-weekly.yaml'));
    const { plan: result } = await planJson('--changed-since', 'HEAD');
    expect(result.warnings.join('\n')).toContain('1 manifest file(s) deleted since HEAD (manifests/projects/CHURN/scenario-retrain-weekly.yaml)');
  });

  it('a saved plan keeps the selection, and apply of it writes only the selected objects', async () => {
    editFile(file('projects/CHURN/scenario-daily-refresh.yaml'), 'hour: 2', 'hour: 3');
    await setVariable('MARKETING_ATTRIBUTION', 'unrelated', 'changed in DSS');
    expect((await plan('--changed-since', 'HEAD', '--out', 'plan.json')).code).toBe(0);
    const applied = await cli('apply', 'plan.json');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Resources: 0 added, 1 changed, 0 destroyed.');
    const vars = await sim.ok<{ standard: Record<string, unknown> }>('GET', '/projects/MARKETING_ATTRIBUTION/variables/');
    expect(vars.standard.unrelated).toBe('changed in DSS');

    // DESIGN §7: planned again, the selection has nothing left to do and nothing is written.
    sim.reset({ stats: true, state: false });
    const again = await plan('--changed-since', 'HEAD', '--detailed-exitcode');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes.');
    expect(sim.stats().writes).toBe(0);
    // The whole tree still has the one difference that was deliberately left out of the selection.
    const { plan: whole } = await planJson();
    expect(whole.resource_changes.map((c) => c.address)).toEqual(['Project/MARKETING_ATTRIBUTION#variables']);
    expect(sim.stats().writes).toBe(0);
  });

  it('apply records the commit of the manifests in the ownership record', async () => {
    const recorded = async (): Promise<unknown> =>
      (await sim.ok<{ custom: { kv: Record<string, { commit?: string }> } }>('GET', '/projects/CHURN/metadata')).custom.kv['dss-gitops']?.commit;
    expect(await recorded()).toBe(repo.head());
    editFile(file('projects/CHURN/scenario-daily-refresh.yaml'), 'hour: 2', 'hour: 3');
    const next = repo.commitAll('move the nightly refresh');
    expect((await cli('apply', '-f', 'manifests', '--auto-approve')).code).toBe(0);
    expect(await recorded()).toBe(next);

    sim.reset({ stats: true, state: false });
    const again = await plan('--detailed-exitcode');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes.');
    const reapplied = await cli('apply', '-f', 'manifests', '--auto-approve');
    expect(reapplied.stdout).toContain('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.');
    expect(sim.stats().writes).toBe(0);
  });

  it('refuses an unknown ref and --target with it', async () => {
    const unknown = await plan('--changed-since', 'no-such-branch');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no-such-branch');
    const both = await plan('--changed-since', 'HEAD', '--target', 'Project/CHURN');
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--changed-since and --target cannot be combined');
  });
});
