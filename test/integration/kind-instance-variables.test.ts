// `InstanceVariables` through the CLI against the simulator: the node's global variables, exact, with
// dss-gitops's own `dss-gitops.*` keys never shown, never declared, never changed by an apply.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { otherRunLock, startSettingsBench, type SettingsBench } from './settings-bench.js';

const SECRET = 'warehouse-pass-never-printed';
const ENV = { DB_PASSWORD: SECRET };
const OWNERSHIP = 'dss-gitops.ownership';
const LOCK = 'dss-gitops.lock';
/** A reserved key that is neither the lock nor the ownership record: kept by every write as they are. */
const RESERVED = 'dss-gitops.note';

let b: SettingsBench;

function variablesDoc(body: string): string {
  return `apiVersion: dss-gitops/v1\nkind: InstanceVariables\nmetadata:\n  name: instance\nspec:\n  variables:\n${body}`;
}

const DECLARED = variablesDoc(`    env: prod\n    limits:\n      maxJobs: 4\n    dbPassword: \${secret:DB_PASSWORD}\n`);

async function variables(): Promise<Record<string, unknown>> {
  return b.sim.ok<Record<string, unknown>>('GET', '/admin/variables/');
}

beforeEach(async () => {
  b = await startSettingsBench('dss-gitops-instance-vars-');
  // What the node holds before: a variable made by hand, and a record of dss-gitops's own.
  await b.sim.ok('PUT', '/admin/variables/', { legacy: 'old', [RESERVED]: { source: 'git:team/dss', inventory: {} } });
});
afterEach(() => b.close());

describe('InstanceVariables', () => {
  it('creates the declared variables exactly, keeps its own keys, then plans and applies nothing', async () => {
    b.manifest('variables.yaml', DECLARED);
    const plan = await b.cli(['plan', '-f', 'm'], ENV);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('~ update InstanceVariables/instance');
    expect(plan.stdout).toContain('- variables.legacy');
    expect(plan.stdout).toContain('(sensitive value)');
    expect(plan.stdout).not.toContain(SECRET);
    expect(plan.stdout).not.toContain('dss-gitops.');

    const applied = await b.cli(['apply', '-f', 'm', '--auto-approve'], ENV);
    expect(applied.code).toBe(0);
    expect(`${applied.stdout}${applied.stderr}`).not.toContain(SECRET);
    const after = await variables();
    expect(after).toMatchObject({ env: 'prod', limits: { maxJobs: 4 }, dbPassword: SECRET, [RESERVED]: { source: 'git:team/dss', inventory: {} } });
    expect(after.legacy).toBeUndefined();
    // The run's own lock was taken and freed around the write, not lost to it.
    expect(applied.stderr).not.toContain('was not this run');
    expect(after[LOCK]).toBeDefined();

    const again = await b.cli(['plan', '-f', 'm', '--detailed-exitcode'], ENV);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes.');
    const second = await b.counted(['apply', '-f', 'm', '--auto-approve', '--lock=false'], ENV);
    expect(second.code).toBe(0);
    expect(second.writes).toBe(0);
  });

  it('updates, adds and removes each variable, and nothing else', async () => {
    b.manifest('variables.yaml', DECLARED);
    expect((await b.cli(['apply', '-f', 'm', '--auto-approve'], ENV)).code).toBe(0);
    b.manifest('variables.yaml', variablesDoc(`    env: staging\n    limits:\n      maxJobs: 8\n      queue: short\n    owner: platform\n`));
    const plan = await b.cli(['plan', '-f', 'm'], ENV);
    expect(plan.stdout).toContain('~ variables.env: "prod" → "staging"');
    expect(plan.stdout).toContain('- variables.dbPassword: (sensitive value)');
    expect(plan.stdout).not.toContain(SECRET);
    expect((await b.cli(['apply', '-f', 'm', '--auto-approve'], ENV)).code).toBe(0);
    const after = await variables();
    expect(Object.keys(after).filter((k) => !k.startsWith('dss-gitops.')).sort()).toEqual(['env', 'limits', 'owner']);
    expect(after).toMatchObject({ env: 'staging', limits: { maxJobs: 8, queue: 'short' }, owner: 'platform' });
    expect(after[RESERVED]).toEqual({ source: 'git:team/dss', inventory: {} });
  });

  it('reports a change made in DSS as drift, never its own keys, and heals it', async () => {
    b.manifest('variables.yaml', DECLARED);
    expect((await b.cli(['apply', '-f', 'm', '--auto-approve'], ENV)).code).toBe(0);
    // An administrator edits a variable and adds one; another run takes the lock meanwhile.
    await b.sim.ok('PUT', '/admin/variables/', { ...(await variables()), env: 'hand-edited', extra: true, [LOCK]: otherRunLock(3_600_000) });

    const drift = await b.counted(['drift', '-f', 'm'], ENV);
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    expect(drift.writes).toBe(0);
    expect(drift.stdout).toContain('InstanceVariables/instance');
    expect(drift.stdout).toContain('variables.env');
    expect(drift.stdout).toContain('variables.extra');
    expect(drift.stdout).not.toContain('dss-gitops.');
    expect(drift.stdout).not.toContain(SECRET);

    // The other run holds the lock: a run that does not take it writes the variables around that lock.
    const before = await variables();
    const healed = await b.cli(['apply', '-f', 'm', '--auto-approve', '--lock=false'], ENV);
    expect(healed.code).toBe(0);
    const after = await variables();
    expect(after.env).toBe('prod');
    expect(after.extra).toBeUndefined();
    expect(after[LOCK]).toEqual(before[LOCK]);
    expect(after[OWNERSHIP]).toEqual(before[OWNERSHIP]);
    expect(JSON.stringify(after)).toBe(JSON.stringify({ ...before, env: 'prod', extra: undefined }));
  });

  it('refuses to declare a dss-gitops key, another name than instance, or two documents, at their line and column', async () => {
    b.manifest('variables.yaml', variablesDoc(`    env: prod\n    dss-gitops.lock: mine\n`));
    const reserved = await b.cli(['validate', '-f', 'm']);
    expect(reserved.code).toBe(1);
    expect(reserved.stderr).toMatch(/variables\.yaml:8:5: .*variables whose name starts with `dss-gitops\.` are reserved/);

    b.manifest('variables.yaml', DECLARED.replace('name: instance', 'name: prod'));
    const named = await b.cli(['validate', '-f', 'm'], ENV);
    expect(named.code).toBe(1);
    expect(named.stderr).toMatch(/variables\.yaml:4:9: `metadata\.name` must be `instance`, not `prod`/);

    b.manifest('variables.yaml', DECLARED);
    b.manifest('more.yaml', variablesDoc('    other: 1\n'));
    const twice = await b.cli(['validate', '-f', 'm'], ENV);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('InstanceVariables/instance');
    expect(twice.stderr).toMatch(/more\.yaml:\d+:\d+/);
    expect(await variables()).toEqual({ legacy: 'old', [RESERVED]: { source: 'git:team/dss', inventory: {} } });
  });

  it('exports the variables whole with secrets as references, which validate and plan no change', async () => {
    await b.sim.ok('PUT', '/admin/variables/', { ...(await variables()), env: 'prod', apiToken: 'tok-never-printed', nested: { x: [1, '${notOurs}'] } });
    const out = path.join(b.dir, 'exported');
    const exported = await b.cli(['export', '--platform', '--out', out]);
    expect(exported.code).toBe(0);
    const text = readFileSync(path.join(out, 'platform/instance-variables.yaml'), 'utf8');
    expect(text).toContain('${secret:INSTANCE_API_TOKEN}');
    expect(text).not.toContain('tok-never-printed');
    expect(text).not.toContain('dss-gitops.');
    expect(`${exported.stdout}${exported.stderr}`).not.toContain('tok-never-printed');

    const env = { INSTANCE_API_TOKEN: 'tok-never-printed' };
    expect((await b.cli(['validate', '-f', out], env)).code).toBe(0);
    const plan = await b.cli(['plan', '-f', out, '--detailed-exitcode'], env);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
  });

  it('stays as it is when its document leaves the manifests, even with --prune', async () => {
    b.manifest('variables.yaml', DECLARED);
    expect((await b.cli(['apply', '-f', 'm', '--auto-approve'], ENV)).code).toBe(0);
    const before = await variables();
    b.manifest('variables.yaml', 'apiVersion: dss-gitops/v1\nkind: ProjectFolder\nmetadata:\n  name: Platform\n');
    const pruned = await b.cli(['apply', '-f', 'm', '--auto-approve', '--prune'], ENV);
    expect(pruned.code).toBe(0);
    const after = await variables();
    for (const key of ['env', 'limits', 'dbPassword']) expect(after[key]).toEqual(before[key]);
  });
});
