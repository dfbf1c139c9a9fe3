// The deployer kinds end to end through the CLI, in-process: a design simulator that is also its own Project
// Deployer, and two automation simulators behind the Test and Production infras. Project, bundles, their
// publication, infras and deployments are created from nothing; then rollouts, a failed activation with and
// without rollback (bundle and local variables put back together, local variables alone, with and without a
// health check), a refused bundle change, and secrets kept out of every output.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const TEST_KEY = 'automation-test-key-never-printed';
const PROD_KEY = 'automation-prod-key-never-printed';

let design: TestSimulator;
let autoTest: TestSimulator;
let autoProd: TestSimulator;
let dir: string;

async function cli(argv: string[]): Promise<CliResult> {
  return runCliCaptured(argv, {
    env: {
      DSS_URL: design.url,
      DSS_API_KEY: design.adminKey,
      TEST_NODE_URL: autoTest.url,
      PROD_NODE_URL: autoProd.url,
      TEST_NODE_KEY: TEST_KEY,
      PROD_NODE_KEY: PROD_KEY,
    },
    cwd: dir,
  });
}

const plan = (...extra: string[]) => cli(['plan', '-f', 'm', ...extra]);
const apply = (...extra: string[]) => cli(['apply', '-f', 'm', '--auto-approve', ...extra]);

function deployment(id: string, infra: string, bundle: string, extra = ''): string {
  return `apiVersion: dss-gitops/v1
kind: Deployment
metadata:
  name: ${id}
spec:
  publishedProjectKey: CHURN
  infraId: ${infra}
  bundleId: ${bundle}
  localVariables:
    env: ${infra}
  scenariosToActivate:
    DAILY: true
${extra}`;
}

function bundle(id: string, notes: string): string {
  return `apiVersion: dss-gitops/v1
kind: Bundle
metadata:
  name: ${id}
  project: CHURN
spec:
  releaseNotes: ${notes}
  publish: true
`;
}

function infra(id: string, stage: string, env: string): string {
  return `apiVersion: dss-gitops/v1
kind: Infra
metadata:
  name: ${id}
spec:
  stage: ${stage}
  automationNodeUrl: \${env:${env}_NODE_URL}
  adminApiKey: \${secret:${env}_NODE_KEY}
  permissions:
    - group: data-team
      read: true
      deploy: true
`;
}

const PROJECT = `apiVersion: dss-gitops/v1
kind: Project
metadata:
  name: CHURN
spec:
  name: Churn
  owner: admin
  variables:
    standard:
      threshold: 0.7
---
apiVersion: dss-gitops/v1
kind: Scenario
metadata:
  name: DAILY
  project: CHURN
spec:
  name: Daily refresh
  type: step_based
  active: false
  params:
    steps:
      - id: build
        type: build_flowitem
        name: Build
---
apiVersion: dss-gitops/v1
kind: PublishedProject
metadata:
  name: CHURN
spec:
  name: Churn (published)
  permissions:
    - group: data-team
      read: true
      deploy: true
`;

function write(file: string, text: string): void {
  writeFileSync(path.join(dir, 'm', file), text);
}

function writeDeployments(test: string, prod: string, prodExtra = ''): void {
  write('deployments.yaml', `${deployment('churn-test', 'test', test)}---\n${deployment('churn-prod', 'prod', prod, prodExtra)}`);
}

const ROLLBACK = '  rollout:\n    rollbackOnFailure: true\n';

/** Sets the production deployment's local variable `env` in the manifest. */
function setProdEnv(value: string): void {
  const file = path.join(dir, 'm', 'deployments.yaml');
  write('deployments.yaml', readFileSync(file, 'utf8').replace(/env: prod\S*/, `env: ${value}`));
}

/** The status's health, and what was last deployed from the simulator's control (no documented answer says it). */
async function health(id: string): Promise<{ health: string; deployedBundleId: string | null }> {
  const status = await design.ok<{ health: string }>('GET', `/project-deployer/deployments/${id}/status`);
  const deployed = (await design.control('GET', `/deployer/deployments/${id}`)) as { deployedBundleId: string | null };
  return { health: status.health, deployedBundleId: deployed.deployedBundleId };
}

beforeAll(async () => {
  [design, autoTest, autoProd] = await Promise.all([
    startTestSimulator(),
    startTestSimulator({ adminKey: TEST_KEY }),
    startTestSimulator({ adminKey: PROD_KEY }),
  ]);
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-deployer-'));
  const m = path.join(dir, 'm');
  mkdirSync(m);
  write('project.yaml', PROJECT);
  write('bundles.yaml', `${bundle('v1', 'first release')}---\n${bundle('v2', 'tuned threshold')}`);
  write('infras.yaml', `${infra('test', 'Test', 'TEST')}---\n${infra('prod', 'Production', 'PROD')}`);
  writeDeployments('v2', 'v1', '  rollout:\n    rollbackOnFailure: true\n');
});
afterAll(async () => {
  await Promise.all([design.close(), autoTest.close(), autoProd.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function expectNoSecret(...texts: string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(TEST_KEY);
    expect(text).not.toContain(PROD_KEY);
  }
}

describe('deployer kinds through plan and apply', () => {
  it('plans and applies the whole chain from nothing, then plans nothing and writes nothing', async () => {
    const first = await plan('--detailed-exitcode');
    expect(first.code).toBe(2);
    for (const address of [
      'Bundle/CHURN/v1',
      'Bundle/CHURN/v1#publication',
      'Bundle/CHURN/v2#publication',
      'PublishedProject/CHURN',
      'Infra/test',
      'Infra/prod',
      'Deployment/churn-test',
      'Deployment/churn-prod',
    ]) {
      expect(first.stdout).toContain(address);
    }
    expectNoSecret(first.stdout, first.stderr);

    const applied = await apply();
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expectNoSecret(applied.stdout, applied.stderr);
    expect(await health('churn-test')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v2' });
    expect(await health('churn-prod')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v1' });
    expect(await autoTest.ok('GET', '/projects/CHURN/variables/')).toMatchObject({ standard: { threshold: 0.7 }, local: { env: 'test' } });
    const published = await design.ok<Record<string, unknown>>('GET', '/project-deployer/projects/CHURN/settings');
    expect(published).toMatchObject({ name: 'Churn (published)' });
    const infraSettings = await design.ok<Record<string, unknown>>('GET', '/project-deployer/infras/test/settings');
    expect(infraSettings).toMatchObject({ stage: 'Test', automationNodeUrl: autoTest.url, adminApiKey: TEST_KEY });

    design.reset({ stats: true, state: false });
    const second = await plan('--detailed-exitcode');
    expect(second.stdout).toContain('No changes.');
    expect(second.code).toBe(0);
    const again = await apply();
    expect(again.code).toBe(0);
    expect(design.stats().writes).toBe(0);
  });

  it('rolls a bundle change out, with its own plan line, and ends HEALTHY', async () => {
    writeDeployments('v2', 'v2', '  rollout:\n    rollbackOnFailure: true\n');
    const planned = await plan();
    expect(planned.stdout).toContain('bundle v1 → v2 (rollout on infra prod)');
    const applied = await apply();
    expect(applied.code).toBe(0);
    expect(await health('churn-prod')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v2' });
    expect(await autoProd.ok('GET', '/projects/CHURN/variables/')).toMatchObject({ local: { env: 'prod' } });
  });

  it('rolls out a change of local variables alone', async () => {
    write('deployments.yaml', readFileSync(path.join(dir, 'm', 'deployments.yaml'), 'utf8').replace('env: test', 'env: test-2'));
    const applied = await apply();
    expect(applied.code).toBe(0);
    expect(await autoTest.ok('GET', '/projects/CHURN/variables/')).toMatchObject({ local: { env: 'test-2' } });
    expect(await health('churn-test')).toMatchObject({ health: 'HEALTHY' });
  });

  it('fails the apply with the deployment messages when a bundle fails activation; no rollback by default', async () => {
    write('bundles.yaml', `${bundle('v1', 'first release')}---\n${bundle('v2', 'tuned threshold')}---\n${bundle('v3', 'broken')}`);
    await autoTest.control('PUT', '/deployer/failing-bundles/v3');
    await autoProd.control('PUT', '/deployer/failing-bundles/v3');
    writeDeployments('v3', 'v2', '  rollout:\n    rollbackOnFailure: true\n');
    const applied = await apply();
    expect(applied.code).not.toBe(0);
    const output = applied.stdout + applied.stderr;
    expect(output).toMatch(/Deployment\/churn-test/);
    expect(output).toMatch(/rollout of bundle v3 on infra test failed: ERROR: .*Activation of bundle v3/);
    expect(await health('churn-test')).toMatchObject({ health: 'ERROR' });
    expectNoSecret(applied.stdout, applied.stderr);
    // The settings name v3 but the node does not run it: the next plan still has the rollout to do.
    const next = await plan('--output', 'json');
    type Changes = { resource_changes: Array<{ address: string; notes?: string[]; field_changes: Array<{ path: string }> }> };
    const change = (JSON.parse(next.stdout) as Changes).resource_changes.find((c) => c.address === 'Deployment/churn-test');
    expect(change?.field_changes.map((c) => c.path)).toEqual(['inSync']);
    expect(change?.notes).toEqual(['bundle v3 is not in sync (rollout on infra test)']);
  });

  it('with rollbackOnFailure, puts back the previous bundle and local variables together, and reports the health it saw', async () => {
    writeDeployments('v2', 'v3', ROLLBACK);
    setProdEnv('prod-next');
    const applied = await apply();
    expect(applied.code).not.toBe(0);
    const output = applied.stdout + applied.stderr;
    expect(output).toMatch(/rollout of bundle v3 on infra prod failed: ERROR: .*Activation of bundle v3/);
    expect(output).toContain(
      'rolled back to the settings before this apply (bundle v2; restored: bundleId, localVariables): ' +
        'health HEALTHY: Bundle v2 is active in project CHURN on infra prod',
    );
    expect(await health('churn-prod')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v2' });
    const settings = await design.ok<{ bundleId: string; localVariables: unknown }>('GET', '/project-deployer/deployments/churn-prod/settings');
    expect(settings).toMatchObject({ bundleId: 'v2', localVariables: { env: 'prod' } });
    expect(await autoProd.ok('GET', '/projects/CHURN/variables/')).toMatchObject({ local: { env: 'prod' } });
    // The test deployment went back to v2 in the manifests: rolled out again, HEALTHY.
    expect(await health('churn-test')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v2' });
    // The object still failed: the next plan rolls the manifest's settings out again.
    expect((await plan('--detailed-exitcode')).code).toBe(2);
  });

  it('rolls back a change of local variables alone, and says so when the rollback cannot be activated either', async () => {
    writeDeployments('v2', 'v2', ROLLBACK);
    expect((await apply()).code).toBe(0);
    expect(await health('churn-prod')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v2' });
    setProdEnv('prod-3');
    await autoProd.control('PUT', '/deployer/failing-bundles/v2');
    try {
      const applied = await apply();
      expect(applied.code).not.toBe(0);
      const output = applied.stdout + applied.stderr;
      expect(output).toMatch(/rollout of bundle v2 on infra prod failed: ERROR: .*Activation of bundle v2/);
      // The bundle itself is refused now, so the restored settings fail to activate too: no claim of health.
      expect(output).toMatch(/rollback to the settings before this apply \(bundle v2; restored: localVariables\) failed too: ERROR: .*Activation of bundle v2/);
      expect(output).not.toContain('HEALTHY');
      const settings = await design.ok<{ localVariables: unknown }>('GET', '/project-deployer/deployments/churn-prod/settings');
      expect(settings.localVariables).toEqual({ env: 'prod' });
      expect(await autoProd.ok('GET', '/projects/CHURN/variables/')).toMatchObject({ local: { env: 'prod' } });
    } finally {
      await autoProd.control('DELETE', '/deployer/failing-bundles/v2');
    }
    // Once the node accepts the bundle again, the manifest's variables roll out.
    expect((await apply()).code).toBe(0);
    expect(await autoProd.ok('GET', '/projects/CHURN/variables/')).toMatchObject({ local: { env: 'prod-3' } });
    expect(await health('churn-prod')).toMatchObject({ health: 'HEALTHY', deployedBundleId: 'v2' });
  });

  it('without waitForHealthy, reports the rollback without claiming any health', async () => {
    writeDeployments('v2', 'v3', '  rollout:\n    rollbackOnFailure: true\n    waitForHealthy: false\n');
    setProdEnv('prod-4');
    const applied = await apply();
    expect(applied.code).not.toBe(0);
    const output = applied.stdout + applied.stderr;
    expect(output).toMatch(/rollout of bundle v3 on infra prod failed: .*Activation of bundle v3/);
    expect(output).toContain(
      'rolled back to the settings before this apply (bundle v2; restored: bundleId, localVariables): ' +
        'the update reported no failure; health not checked (rollout.waitForHealthy is false)',
    );
    expect(output).not.toContain('HEALTHY');
    const settings = await design.ok<{ bundleId: string; localVariables: unknown }>('GET', '/project-deployer/deployments/churn-prod/settings');
    // Back to what ran before this apply: bundle v2 with the variables of the previous test.
    expect(settings).toMatchObject({ bundleId: 'v2', localVariables: { env: 'prod-3' } });
    expect(await autoProd.ok('GET', '/projects/CHURN/variables/')).toMatchObject({ local: { env: 'prod-3' } });
    expect(await health('churn-prod')).toMatchObject({ deployedBundleId: 'v2' });
  });

  it('refuses a changed spec of an existing bundle, naming the bundle and asking for a new id', async () => {
    write('bundles.yaml', `${bundle('v1', 'first release, amended')}---\n${bundle('v2', 'tuned threshold')}---\n${bundle('v3', 'broken')}`);
    const planned = await plan();
    expect(planned.code).not.toBe(0);
    expect(planned.stderr).toContain('Bundle/CHURN/v1 already exists with other release notes; bundles are immutable: pick a new bundle id');
    const writes = design.stats().writes;
    const applied = await apply();
    expect(applied.code).not.toBe(0);
    expect(design.stats().writes).toBe(writes);
    write('bundles.yaml', `${bundle('v1', 'first release')}---\n${bundle('v2', 'tuned threshold')}---\n${bundle('v3', 'broken')}`);
  });

  it('never shows an infra key: text, json, markdown, plan files and debug logs', async () => {
    writeDeployments('v2', 'v2');
    const outputs: string[] = [];
    for (const format of ['text', 'json', 'markdown']) {
      const r = await cli(['plan', '-f', 'm', '--output', format, '--debug']);
      outputs.push(r.stdout, r.stderr);
    }
    const saved = await cli(['plan', '-f', 'm', '--out', 'saved.plan']);
    outputs.push(saved.stdout, saved.stderr, readFileSync(path.join(dir, 'saved.plan'), 'utf8'));
    const shown = await cli(['show', 'saved.plan']);
    outputs.push(shown.stdout, shown.stderr);
    expectNoSecret(...outputs);

    const key = await design.ok<Record<string, unknown>>('GET', '/project-deployer/infras/test/settings');
    await design.ok('PUT', '/project-deployer/infras/test/settings', { ...key, adminApiKey: 'rotated-by-hand' });
    // A key changed by hand in DSS is planned as a change, masked, and written back on apply.
    const drifted = await cli(['plan', '-f', 'm', '--output', 'json']);
    expect(drifted.stdout).toContain('adminApiKey');
    expect(drifted.stdout).toContain('(sensitive value)');
    expect(drifted.stdout).not.toContain('rotated-by-hand');
    expectNoSecret(drifted.stdout, drifted.stderr);
    expect((await apply()).code).toBe(0);
    expect(await design.ok('GET', '/project-deployer/infras/test/settings')).toMatchObject({ adminApiKey: TEST_KEY });
  });
});
