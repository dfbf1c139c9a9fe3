// Prune of platform objects through the CLI, against the simulator: what the node's instance ownership record lists
// and the manifests left is deleted (groups, connections, code envs, a user that opted in), a user that did not opt
// in is disabled with everything else kept, a plugin stays installed, and objects made by hand are never touched.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const ALICE_PASSWORD = 'alice-prune-pa55-never-printed';

const GROUPS = `apiVersion: dss-gitops/v1
kind: Group
metadata:
  name: analysts
spec:
  description: Analysts
---
apiVersion: dss-gitops/v1
kind: Group
metadata:
  name: engineers
spec:
  description: Engineers
  mayCreateProjects: true
`;

const OTHERS = `apiVersion: dss-gitops/v1
kind: User
metadata:
  name: alice
spec:
  displayName: Alice
  groups: [analysts]
  password: \${secret:ALICE_PASSWORD}
---
apiVersion: dss-gitops/v1
kind: User
metadata:
  name: bob
  annotations:
    dss-gitops/prune: "delete"
spec:
  displayName: Bob
  groups: [engineers]
---
apiVersion: dss-gitops/v1
kind: Connection
metadata:
  name: landing
spec:
  type: Filesystem
  params:
    root: /data/landing
  allowedGroups: [engineers]
---
apiVersion: dss-gitops/v1
kind: CodeEnv
metadata:
  name: py-prune
spec:
  envLang: PYTHON
  desc:
    pythonInterpreter: PYTHON311
  specPackageList:
    - requests
---
apiVersion: dss-gitops/v1
kind: Plugin
metadata:
  name: googlesheets
spec:
  source:
    store:
      version: 1.3.0
`;

let sim: TestSimulator;
let dir: string;

async function cli(argv: string[]): Promise<CliResult> {
  const result = await runCliCaptured(argv, { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, ALICE_PASSWORD }, cwd: dir });
  expect(result.stdout + result.stderr).not.toContain(ALICE_PASSWORD);
  return result;
}

/** Whether DSS has the object at `route` (a 404 is absence). */
async function exists(route: string): Promise<boolean> {
  const response = await fetch(`${sim.url}/public/api${route}`, {
    headers: { authorization: `Basic ${Buffer.from(`${sim.adminKey}:`).toString('base64')}` },
  });
  await response.arrayBuffer();
  if (response.status === 404) return false;
  expect(response.status).toBe(200);
  return true;
}

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-platform-prune-'));
  mkdirSync(path.join(dir, 'm'));
  writeFileSync(path.join(dir, 'm', 'groups.yaml'), GROUPS);
  writeFileSync(path.join(dir, 'm', 'others.yaml'), OTHERS);
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('prune of platform objects', () => {
  it('deletes what this source applied, disables a user that did not opt in, keeps the plugin and what was made by hand', async () => {
    const applied = await cli(['apply', '-f', 'm', '--auto-approve']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    // Made by hand in DSS: never this source's to delete.
    await sim.ok('POST', '/admin/groups/', { name: 'handmade', description: 'made in the UI' });

    // Only the group analysts stays declared.
    writeFileSync(path.join(dir, 'm', 'groups.yaml'), GROUPS.slice(0, GROUPS.indexOf('---')));
    rmSync(path.join(dir, 'm', 'others.yaml'));

    const withoutPrune = await cli(['plan', '-f', 'm']);
    expect(withoutPrune.code).toBe(0);
    expect(withoutPrune.stdout + withoutPrune.stderr).toContain('run with --prune to delete them');

    const plan = await cli(['plan', '-f', 'm', '--prune']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const shown = plan.stdout + plan.stderr;
    expect(shown).toContain('- delete Group/engineers');
    expect(shown).toContain('- delete User/bob');
    expect(shown).toContain('- delete Connection/landing');
    expect(shown).toContain('- delete CodeEnv/py-prune');
    expect(shown).not.toContain('delete User/alice');
    expect(shown).toMatch(/User\/alice[\s\S]*dss-gitops\/prune: "delete"/);
    expect(shown).not.toContain('delete Plugin/googlesheets');
    expect(shown).toMatch(/Plugin\/googlesheets left the manifests[^\n]*it stays in DSS and is no longer managed/);
    expect(shown).not.toContain('Group/handmade');

    const pruned = await cli(['apply', '-f', 'm', '--prune', '--auto-approve']);
    expect(pruned.code, pruned.stdout + pruned.stderr).toBe(0);
    expect(await exists('/admin/groups/engineers')).toBe(false);
    expect(await exists('/admin/users/bob')).toBe(false);
    expect(await exists('/admin/connections/landing')).toBe(false);
    expect(await exists('/admin/code-envs/PYTHON/py-prune')).toBe(false);
    expect(await sim.ok('GET', '/admin/users/alice')).toMatchObject({ login: 'alice', displayName: 'Alice', enabled: false });
    expect(await exists('/plugins/googlesheets/settings')).toBe(true);
    expect(await exists('/admin/groups/handmade')).toBe(true);
    expect(await exists('/admin/groups/analysts')).toBe(true);

    // Nothing left to prune: what was disabled or kept is no longer managed.
    const again = await cli(['plan', '-f', 'm', '--prune', '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes.');
  });
});
