// manifests-example-platform through the CLI, in-process against the simulator, on a copy of the tree: it validates,
// plans everything from nothing, applies, then plans no change and applies with zero writes; export --platform of
// what it made validates and plans no change. No password nor secret param is ever printed or written to a file.

import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordMatches, type UserRecord } from '../../src/simulator/admin/security-state.js';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const TREE = path.resolve(import.meta.dirname, '../../manifests-example-platform');

/** Every secret the tree reads, each with a value that must never appear in an output or a written file. */
const SECRETS: Record<string, string> = {
  ALICE_PASSWORD: 'alice-example-pw-never-printed',
  BOB_PASSWORD: 'bob-example-pw-never-printed',
  CAROL_PASSWORD: 'carol-example-pw-never-printed',
  SVC_AIRFLOW_PASSWORD: 'airflow-example-pw-never-printed',
  WAREHOUSE_PASSWORD: 'warehouse-example-pw-never-printed',
  GOOGLESHEETS_CLIENT_SECRET: 'sheets-example-secret-never-printed',
};

let sim: TestSimulator;
let dir: string;

async function cli(argv: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await runCliCaptured(argv, { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, ...SECRETS, ...env }, cwd: dir });
  for (const value of Object.values(SECRETS)) expect(result.stdout + result.stderr).not.toContain(value);
  return result;
}

function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const full = path.join(root, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

function expectNoSecretIn(root: string): void {
  for (const file of filesUnder(root)) {
    const text = readFileSync(file, 'utf8');
    for (const value of Object.values(SECRETS)) expect(text, file).not.toContain(value);
  }
}

beforeAll(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-example-platform-'));
  cpSync(TREE, path.join(dir, 'platform'), { recursive: true });
});

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

// The steps build on each other: one node, one tree, in order.
describe('manifests-example-platform', () => {
  it('is canonical and valid', async () => {
    expect(await cli(['fmt', '--check', '-f', 'platform'])).toMatchObject({ code: 0 });
    const validated = await cli(['validate', '-f', 'platform']);
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain('13 documents valid.');
  });

  it('plans every object from nothing, secrets masked and kept out of the plan file', async () => {
    const plan = await cli(['plan', '-f', 'platform', '--detailed-exitcode', '--out', 'plan.json']);
    expect(plan.code).toBe(2);
    for (const address of [
      'Group/data-engineers',
      'Group/data-scientists',
      'Group/platform-admins',
      'User/alice',
      'User/bob',
      'User/carol',
      'User/svc-airflow',
      'Connection/warehouse',
      'Connection/shared-files',
      'CodeEnv/py-analytics',
      'Plugin/googlesheets',
    ]) {
      expect(plan.stdout).toContain(`+ create ${address}\n`);
    }
    expect(plan.stdout).toContain('~ update InstanceVariables/instance\n');
    expect(plan.stdout).toContain('~ update GeneralSettings/instance\n');
    expect(plan.stdout).toContain('+ params.password: (sensitive value)');
    expect(plan.stdout).toContain('+ presets[name=team-sheets].config.clientSecret: (sensitive value)');
    expect(plan.stdout).toContain('Plan: 13 to add, 2 to change, 0 to destroy.');
    expectNoSecretIn(dir);
  });

  it('applies it: groups, users with their passwords, connections, the code env built, the plugin and its preset', async () => {
    const applied = await cli(['apply', '-f', 'platform', '--auto-approve']);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Apply complete! Resources: 13 added, 2 changed, 0 destroyed.');

    const users = sim.state().design.security?.users ?? {};
    for (const [login, secret] of [['alice', 'ALICE_PASSWORD'], ['bob', 'BOB_PASSWORD'], ['carol', 'CAROL_PASSWORD'], ['svc-airflow', 'SVC_AIRFLOW_PASSWORD']] as const) {
      expect(passwordMatches(users[login] as UserRecord, SECRETS[secret]!), login).toBe(true);
    }
    expect(await sim.ok('GET', '/admin/users/carol')).toMatchObject({ groups: expect.arrayContaining(['platform-admins', 'administrators']) });
    expect(await sim.ok('GET', '/admin/groups/data-engineers')).toMatchObject({
      ldapGroupNames: ['cn=data-engineers,ou=groups,dc=example,dc=com'],
      mayWriteUnsafeCode: true,
      admin: false,
    });
    expect(await sim.ok('GET', '/admin/connections/warehouse')).toMatchObject({
      type: 'PostgreSQL',
      params: { host: 'warehouse.db.example.com', db: 'analytics' },
      allowedGroups: ['data-engineers', 'data-scientists'],
    });
    const env = await sim.ok<{ specPackageList: string; actualPackageList: string }>('GET', '/admin/code-envs/PYTHON/py-analytics');
    expect(env.specPackageList).toBe('scikit-learn==1.4.0\nxgboost==2.0.3\npsycopg2-binary');
    expect(env.actualPackageList).toContain('psycopg2-binary==');
    expect(await sim.ok('GET', '/plugins/')).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'googlesheets', version: '1.3.0' })]));
    expect(await sim.ok('GET', '/admin/variables/')).toMatchObject({ environment: 'production', warehouseSchema: 'analytics' });
    expect(await sim.ok('GET', '/admin/general-settings')).toMatchObject({ maxRunningActivities: 12, studioExternalUrl: 'https://dss.example.com' });
  });

  it('plans no change the second time and applies with zero writes', async () => {
    const plan = await cli(['plan', '-f', 'platform', '--detailed-exitcode']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('No changes. DSS matches the manifests.');
    // What cannot be compared is said, not silently passed over.
    expect(plan.stdout + plan.stderr).toContain('Connection/warehouse: params.password is write-only');
    expect(plan.stdout + plan.stderr).toContain('User/alice: password cannot be compared');

    sim.reset({ stats: true, state: false });
    const applied = await cli(['apply', '-f', 'platform', '--auto-approve']);
    expect(applied.code).toBe(0);
    expect(sim.stats().writes).toBe(0);
  });

  it('exports what it made with --platform; the export validates and plans no change', async () => {
    const exported = await cli(['export', '--platform', '--out', 'exported']);
    expect(exported.code).toBe(0);
    expectNoSecretIn(path.join(dir, 'exported'));
    // The export names the secrets it needs; the team gives it the values the tree used.
    const env = {
      CONNECTION_WAREHOUSE_PASSWORD: SECRETS.WAREHOUSE_PASSWORD!,
      GOOGLESHEETS_TEAM_SHEETS_CONFIG_CLIENT_SECRET: SECRETS.GOOGLESHEETS_CLIENT_SECRET!,
    };
    expect(exported.stdout).toContain('CONNECTION_WAREHOUSE_PASSWORD');
    expect(exported.stdout).toContain('GOOGLESHEETS_TEAM_SHEETS_CONFIG_CLIENT_SECRET');
    for (const name of ['groups/data-engineers.yaml', 'users/svc-airflow.yaml', 'connections/warehouse.yaml', 'code-envs/py-analytics.yaml', 'plugins/googlesheets.yaml']) {
      expect(readdirSync(path.join(dir, 'exported', path.dirname(name)))).toContain(path.basename(name));
    }
    expect((await cli(['validate', '-f', 'exported'], env)).code).toBe(0);
    const plan = await cli(['plan', '-f', 'exported', '--detailed-exitcode'], env);
    expect(plan.stdout).toContain('No changes. DSS matches the manifests.');
    expect(plan.code).toBe(0);
  });
});
