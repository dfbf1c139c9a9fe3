// Shared set-up of the promote tests: a design node with its Project Deployer and two automation nodes (three
// simulators), a published project with bundles v1..v3, churn-test (Test) on v2 and churn-prod (Production) on
// v1, both HEALTHY; and a manifest tree that declares them, with comments to keep.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { createDesignProject, health, update } from './simulator-deployer-helpers.js';

export interface Nodes {
  design: TestSimulator;
  autoTest: TestSimulator;
  autoProd: TestSimulator;
  close(): Promise<void>;
}

export async function startNodes(): Promise<Nodes> {
  const [design, autoTest, autoProd] = await Promise.all([
    startTestSimulator({ adminKey: 'design-admin-key-never-printed' }),
    startTestSimulator({ adminKey: 'automation-test-key-never-printed' }),
    startTestSimulator({ adminKey: 'automation-prod-key-never-printed' }),
  ]);
  return { design, autoTest, autoProd, close: async () => void (await Promise.all([design.close(), autoTest.close(), autoProd.close()])) };
}

export async function deploy(design: TestSimulator, deploymentId: string): Promise<void> {
  expect((await update(design, deploymentId)).status).toBe(200);
  expect((await health(design, deploymentId)).health).toBe('HEALTHY');
}

/** The deployer's objects, through its API: the state a team reaches after applying the manifests once. */
export async function setUpDeployer({ design, autoTest, autoProd }: Nodes): Promise<void> {
  await createDesignProject(design, 'CHURN');
  for (const bundleId of ['v1', 'v2', 'v3']) {
    await design.ok('PUT', `/projects/CHURN/bundles/exported/${bundleId}`);
    await design.ok('POST', `/projects/CHURN/bundles/${bundleId}/publish?publishedProjectKey=CHURN`);
  }
  await design.ok('POST', '/project-deployer/infras', { id: 'test-infra', stage: 'Test', automationNodeUrl: autoTest.url, adminApiKey: autoTest.adminKey });
  await design.ok('POST', '/project-deployer/infras', { id: 'prod-infra', stage: 'Production', automationNodeUrl: autoProd.url, adminApiKey: autoProd.adminKey });
  await design.ok('POST', '/project-deployer/deployments', { deploymentId: 'churn-test', publishedProjectKey: 'CHURN', infraId: 'test-infra', bundleId: 'v2' });
  await design.ok('POST', '/project-deployer/deployments', { deploymentId: 'churn-prod', publishedProjectKey: 'CHURN', infraId: 'prod-infra', bundleId: 'v1' });
  await deploy(design, 'churn-test');
  await deploy(design, 'churn-prod');
}

export const PROJECT_YAML = `apiVersion: dss-gitops/v1
kind: Project
metadata:
  name: CHURN
spec:
  name: Project CHURN
  owner: admin
`;

export const DEPLOYER_YAML = `# The churn model's path to production.
apiVersion: dss-gitops/v1
kind: Bundle
metadata:
  name: v1
  project: CHURN
spec:
  publish: true
---
apiVersion: dss-gitops/v1
kind: Bundle
metadata: {name: v2, project: CHURN}
spec: {publish: true}
---
apiVersion: dss-gitops/v1
kind: Bundle
metadata: {name: v3, project: CHURN}
spec: {publish: true}
---
apiVersion: dss-gitops/v1
kind: Infra
metadata:
  name: test-infra
spec:
  stage: Test
  automationNodeUrl: \${env:AUTO_TEST_URL}
  adminApiKey: \${secret:AUTO_TEST_KEY}
---
apiVersion: dss-gitops/v1
kind: Infra
metadata:
  name: prod-infra
spec:
  stage: Production
  automationNodeUrl: \${env:AUTO_PROD_URL}
  adminApiKey: \${secret:AUTO_PROD_KEY}
---
# Acceptance testing: every bundle goes here first.
apiVersion: dss-gitops/v1
kind: Deployment
metadata:
  name: churn-test
spec:
  publishedProjectKey: CHURN
  infraId: test-infra
  bundleId: v2

---
# Production: only bundles that were HEALTHY in Test.
apiVersion: dss-gitops/v1
kind: Deployment
metadata:
  name: churn-prod
spec:
  publishedProjectKey: CHURN
  infraId: prod-infra
  # promoted by dss-gitops promote
  bundleId: v1   # the bundle running in production

  rollout:
    waitForHealthy: true
    rollbackOnFailure: true
`;

/** A temporary manifest tree (`m/`) in its own git repository, everything committed on `main`. */
export function manifestTree(): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'dss-gitops-promote-')));
  mkdirSync(path.join(dir, 'm', 'projects'), { recursive: true });
  writeFileSync(path.join(dir, 'm', 'dss-gitops.yaml'), 'prune: false\n');
  writeFileSync(path.join(dir, 'm', 'projects', 'churn.yaml'), PROJECT_YAML);
  writeFileSync(path.join(dir, 'm', 'deployer.yaml'), DEPLOYER_YAML);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'commit.gpgsign', 'false');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'manifests');
  return dir;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

export type { CliResult };

export async function runIn(dir: string, nodes: Nodes, argv: string[]): Promise<CliResult> {
  return runCliCaptured(argv, {
    env: {
      DSS_URL: nodes.design.url,
      DSS_API_KEY: nodes.design.adminKey,
      AUTO_TEST_URL: nodes.autoTest.url,
      AUTO_TEST_KEY: nodes.autoTest.adminKey,
      AUTO_PROD_URL: nodes.autoProd.url,
      AUTO_PROD_KEY: nodes.autoProd.adminKey,
    },
    cwd: dir,
  });
}

export function expectNoSecret(nodes: Nodes, ...texts: string[]): void {
  for (const text of texts) {
    for (const key of [nodes.design.adminKey, nodes.autoTest.adminKey, nodes.autoProd.adminKey]) expect(text).not.toContain(key);
  }
}

/** The indexes of the lines that differ; the line count must not change. */
export function changedLines(before: string, after: string): number[] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b).toHaveLength(a.length);
  return a.flatMap((line, i) => (line === b[i] ? [] : [i]));
}
