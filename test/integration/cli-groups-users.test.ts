// Groups and users through the CLI, in-process against the simulator, on a copy of test/fixtures/groups/platform:
// plan/apply from nothing and again with zero writes, a password never printed nor written to a plan file, a change
// made in DSS reported by drift and healed by apply, a literal password refused with nothing written, and
// export --platform → validate → plan with no changes.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { passwordMatches, type UserRecord } from '../../src/simulator/admin/security-state.js';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const ALICE_PASSWORD = 'alice-pa55-never-printed';
const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/groups/platform');

let sim: TestSimulator;
let dir: string;

async function cli(argv: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await runCliCaptured(argv, {
    env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, ALICE_PASSWORD, ...env },
    cwd: dir,
  });
  expect(result.stdout + result.stderr).not.toContain(ALICE_PASSWORD);
  return result;
}

const userRecord = (login: string): UserRecord => sim.state().design.security?.users[login] as UserRecord;

function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const full = path.join(root, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-groups-'));
  cpSync(FIXTURE, path.join(dir, 'm'), { recursive: true });
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('groups and users through the CLI', () => {
  it('creates groups before the users in them, then plans nothing and applies with zero writes', async () => {
    const first = await cli(['plan', '-f', 'm', '--out', 'plan.json']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Plan: 4 to add, 0 to change, 0 to destroy.');
    expect(readFileSync(path.join(dir, 'plan.json'), 'utf8')).not.toContain(ALICE_PASSWORD);

    const applied = await cli(['apply', '-f', 'm', '--auto-approve']);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Apply complete! Resources: 4 added, 0 changed, 0 destroyed.');
    expect(await sim.ok('GET', '/admin/users/bob')).toMatchObject({ groups: ['platform-admins', 'administrators'], userProfile: 'DESIGNER' });
    expect(passwordMatches(userRecord('alice'), ALICE_PASSWORD)).toBe(true);

    sim.reset({ stats: true, state: false });
    const second = await cli(['plan', '-f', 'm', '--detailed-exitcode']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('No changes.');
    expect(second.stdout + second.stderr).toContain('User/alice: password cannot be compared');
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    expect(sim.stats().writes).toBe(0);
  });

  it('reports a permission granted and a group joined in DSS as drift, and apply puts them back', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const group = await sim.ok<Record<string, unknown>>('GET', '/admin/groups/analysts');
    await sim.ok('PUT', '/admin/groups/analysts', { ...group, mayDevelopPlugins: true });
    const alice = await sim.ok<Record<string, unknown>>('GET', '/admin/users/alice');
    await sim.ok('PUT', '/admin/users/alice', { ...alice, groups: ['analysts', 'platform-admins'] });

    const drift = await cli(['drift', '-f', 'm']);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('Group/analysts');
    expect(drift.stdout).toContain('mayDevelopPlugins');
    expect(drift.stdout).toContain('User/alice');

    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    expect(await sim.ok('GET', '/admin/groups/analysts')).toMatchObject({ mayDevelopPlugins: false });
    expect(await sim.ok('GET', '/admin/users/alice')).toMatchObject({ groups: ['analysts'] });
    expect((await cli(['drift', '-f', 'm'])).code).toBe(0);
  });

  it('refuses a literal password at plan time, naming the user, and writes nothing', async () => {
    const users = path.join(dir, 'm', 'users.yaml');
    writeFileSync(users, readFileSync(users, 'utf8').replace('${secret:ALICE_PASSWORD}', 'literal-in-git-pw'));
    const applied = await cli(['apply', '-f', 'm', '--auto-approve']);
    expect(applied.code).toBe(1);
    expect(applied.stdout + applied.stderr).toContain('User/alice: spec.password is a literal text in the manifest');
    expect(applied.stdout + applied.stderr).not.toContain('literal-in-git-pw');
    expect(sim.stats().writes).toBe(0);
  });

  it('exports the platform objects with --platform, which validate and plan with no changes, without any password', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const exported = await cli(['export', '--platform', '--out', 'out']);
    expect(exported.code).toBe(0);
    const manifests = filesUnder(path.join(dir, 'out')).filter((f) => f.endsWith('.yaml'));
    // --platform also exports the node's other platform kinds (general settings name their password fields).
    const all = manifests
      .map((f) => readFileSync(f, 'utf8'))
      .filter((text) => /^kind: (Group|User)$/m.test(text))
      .join('\n');
    expect(all).toContain('kind: Group');
    expect(all).toContain('kind: User');
    expect(all).not.toMatch(/password/i);
    expect((await cli(['validate', '-f', 'out'])).code).toBe(0);
    const plan = await cli(['plan', '-f', 'out', '--detailed-exitcode']);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
  });

  it('imports one user as a manifest, without its password', async () => {
    // The groups come from this tree; the user was made by hand in DSS (import does not take over what another
    // tree applied: the node's instance record names one source).
    mkdirSync(path.join(dir, 'adopted'));
    cpSync(path.join(FIXTURE, 'groups.yaml'), path.join(dir, 'adopted', 'groups.yaml'));
    expect((await cli(['apply', '-f', 'adopted', '--auto-approve'])).code).toBe(0);
    await sim.ok('POST', '/admin/users/', {
      login: 'alice',
      displayName: 'Alice Martin',
      email: 'alice@example.com',
      groups: ['analysts'],
      userProfile: 'DATA_SCIENTIST',
      password: ALICE_PASSWORD,
    });
    const imported = await cli(['import', 'User/alice', '-f', 'adopted']);
    expect(imported.code, imported.stderr + imported.stdout).toBe(0);
    const [file] = filesUnder(path.join(dir, 'adopted')).filter((f) => f.endsWith('.yaml') && !f.endsWith('groups.yaml'));
    const text = readFileSync(file!, 'utf8');
    expect(text).toContain('kind: User');
    expect(text).toContain('displayName: Alice Martin');
    expect(text).not.toMatch(/password/i);
  });
});
