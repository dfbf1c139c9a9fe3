// `promote --apply` on a chain created by applying the manifests: the promoted bundle rolls out to Production and
// ends HEALTHY, a second plan is empty with zero writes, and a bundle that fails activation fails the command.

import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';
import { startLockWatchingProxy } from '../helpers/proxy.js';
import { createDesignProject, health } from './simulator-deployer-helpers.js';
import { changedLines, DEPLOYER_YAML, expectNoSecret, manifestTree, runIn, startNodes, type CliResult, type Nodes } from './cli-promote-helpers.js';

let nodes: Nodes;
let dir: string;

const cli = async (...argv: string[]): Promise<CliResult> => {
  const result = await runIn(dir, nodes, argv);
  expectNoSecret(nodes, result.stdout, result.stderr);
  return result;
};
const manifest = (): string => readFileSync(path.join(dir, 'm', 'deployer.yaml'), 'utf8');

beforeEach(async () => {
  nodes = await startNodes();
  await createDesignProject(nodes.design, 'CHURN');
  dir = manifestTree();
  const created = await cli('apply', '-f', 'm', '--auto-approve');
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  expect((await health(nodes.design, 'churn-test')).health).toBe('HEALTHY');
  expect((await health(nodes.design, 'churn-prod')).health).toBe('HEALTHY');
});
afterEach(async () => {
  await nodes.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('promote --apply', () => {
  it('writes the manifest and rolls the bundle out now: HEALTHY, and the next plan is empty', async () => {
    // Steps slow enough that the first poll of the update's future always sees one in progress.
    await nodes.design.control('PUT', '/deployer/config', { futureStepMs: 150 });
    const result = await cli('promote', 'churn-prod', '--from', 'Test', '--apply', '-f', 'm');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Deployment/churn-prod: bundleId v1 → v2 (from churn-test, HEALTHY)');
    expect(result.stdout).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');
    expect(result.stdout).toContain('Deployment/churn-prod: HEALTHY');
    // The rollout's steps, as DSS's future reports them (which of them a poll sees depends on timing).
    expect(result.stdout).toMatch(/ {2}Deployment\/churn-prod: .+ \(\d\/\d\)\n/);
    // The plan shown is what is written: the deployment alone.
    expect(result.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    expect(result.stdout).not.toMatch(/^\s*[~+-] (Project|Bundle|Infra|Scenario|PublishedProject)\//m);
    expect(result.stdout).not.toContain('--target limits');
    expect(changedLines(DEPLOYER_YAML, manifest())).toHaveLength(1);

    const status = await nodes.design.ok<{ health: string }>('GET', '/project-deployer/deployments/churn-prod/status');
    expect(status.health).toBe('HEALTHY');
    expect(await nodes.design.control('GET', '/deployer/deployments/churn-prod')).toMatchObject({ deployedBundleId: 'v2' });
    const imported = await nodes.autoProd.ok<{ bundles: Array<{ bundleId: string; active: boolean }> }>('GET', '/projects/CHURN/bundles/imported');
    expect(imported.bundles.filter((b) => b.active).map((b) => b.bundleId)).toEqual(['v2']);

    nodes.design.reset({ stats: true, state: false });
    const again = await cli('plan', '-f', 'm', '--detailed-exitcode');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes. DSS matches the manifests.');
    expect(nodes.design.stats().writes).toBe(0);
  });

  it('takes the run lock: refused with the manifest untouched while another run holds it, then released', async () => {
    const now = Date.now();
    const held = {
      id: 'ci-run-lock-id',
      holder: 'github-actions:team/dss run 7',
      reason: 'apply from dss-gitops-example',
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 600_000).toISOString(),
      generation: 3,
    };
    await nodes.design.ok('PUT', '/admin/variables/', { 'dss-gitops.lock': held });
    const before = manifest();
    nodes.design.reset({ stats: true, state: false });
    const refused = await cli('promote', 'churn-prod', '--from', 'Test', '--apply', '-f', 'm');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is held by github-actions:team/dss run 7 (apply from dss-gitops-example)');
    expect(refused.stderr).toContain('dss-gitops force-unlock ci-run-lock-id');
    expect(manifest()).toBe(before);
    expect(nodes.design.stats().writes).toBe(0);

    await nodes.design.ok('PUT', '/admin/variables/', {});
    const promoted = await cli('promote', 'churn-prod', '--from', 'Test', '--apply', '-f', 'm');
    expect(promoted.code).toBe(0);
    expect(await nodes.design.ok('GET', '/admin/variables/')).toEqual({ 'dss-gitops.lock': { generation: 1 } });
  });

  it('checks the connection and looks at the run lock at once, as apply does', async () => {
    const watched = await startLockWatchingProxy(nodes.design.url);
    try {
      const result = await runCliCaptured(['promote', 'churn-prod', '--from', 'Test', '--apply', '-f', 'm'], {
        env: { DSS_URL: watched.proxy.url, DSS_API_KEY: nodes.design.adminKey, AUTO_TEST_URL: nodes.autoTest.url, AUTO_TEST_KEY: nodes.autoTest.adminKey, AUTO_PROD_URL: nodes.autoProd.url, AUTO_PROD_KEY: nodes.autoProd.adminKey },
        cwd: dir,
      });
      expectNoSecret(nodes, result.stdout, result.stderr);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');
      expect(watched.lockReadWhileHeld()).toBe(true);
    } finally {
      await watched.proxy.close();
    }
  });

  it('writes the deployment only: drift elsewhere is left to apply', async () => {
    const metadata = await nodes.design.ok<Record<string, unknown>>('GET', '/projects/CHURN/metadata');
    await nodes.design.ok('PUT', '/projects/CHURN/metadata', { ...metadata, label: 'Renamed by hand' });
    const drifted = await cli('plan', '-f', 'm');
    expect(drifted.stdout).toContain('Project/CHURN');

    const result = await cli('promote', 'churn-prod', '--from', 'Test', '--apply', '-f', 'm');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');
    const after = await nodes.design.ok<{ label: string }>('GET', '/projects/CHURN/metadata');
    expect(after.label).toBe('Renamed by hand');
  });

  it('refuses when a bundle, infra or published project the deployment needs is absent, and restores the manifest', async () => {
    // The exported bundle is gone from the design node (its publication on the deployer stays).
    await nodes.design.ok('DELETE', '/projects/CHURN/bundles/exported/v2');
    nodes.design.reset({ stats: true, state: false });
    const result = await cli('promote', 'churn-prod', '--from', 'Test', '--apply', '-f', 'm', '--force');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Deployment\/churn-prod needs Bundle\/CHURN\/v2\b/);
    expect(result.stderr).toContain('apply it first');
    expect(nodes.design.stats().writes).toBe(0);
    expect(manifest()).toBe(DEPLOYER_YAML);
  });

  it('exits 1 when the rollout fails, and the manifest keeps the promoted value for a fix forward or a revert', async () => {
    await nodes.autoProd.control('PUT', '/deployer/failing-bundles/v2');
    const result = await cli('promote', 'churn-prod', '--from', 'Test', '--apply', '-f', 'm');
    expect(result.code).toBe(1);
    expect(`${result.stdout}${result.stderr}`).toMatch(/Activation of bundle v2/);
    expect(manifest()).toContain('bundleId: v2   # the bundle running in production');
    expect(result.stderr).toContain('The manifest names bundle v2 but its rollout failed: fix forward with a new bundle, or revert m/deployer.yaml:58.');
    // rollbackOnFailure: the previous bundle is deployed again.
    expect(await nodes.design.control('GET', '/deployer/deployments/churn-prod')).toMatchObject({ deployedBundleId: 'v1' });
  });
});
