// `export --deployer` on the example with its deployer tree applied (a design node with its own Project Deployer,
// three automation nodes): published project, infras and deployments exported without a key, bundles listed as
// external; the exported tree validates and plans no changes against the node it came from.

import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');
const DEPLOYER = path.resolve(import.meta.dirname, '../../manifests-example-deployer');
const STAGES = ['DEV', 'TEST', 'PROD'] as const;
const keyOf = (stage: string) => `${stage.toLowerCase()}-automation-key-never-written`;
const WAREHOUSE_PASSWORD = 'warehouse-pass-never-written';

let design: TestSimulator;
const automation = new Map<string, TestSimulator>();
let dir: string;

async function cli(argv: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  // One text for both streams, in the order they were written.
  const { io, stdout } = captureIo({ DSS_URL: design.url, DSS_API_KEY: design.adminKey, ...env }, dir);
  const code = await runCli(argv, { ...io, stderr: io.stdout });
  return { code, out: stdout() };
}

/** What the example's manifests read from the environment. */
function exampleEnv(): Record<string, string> {
  const env: Record<string, string> = { WAREHOUSE_PASSWORD };
  for (const stage of STAGES) {
    env[`${stage}_AUTOMATION_URL`] = automation.get(stage)?.url ?? '';
    env[`${stage}_AUTOMATION_API_KEY`] = keyOf(stage);
  }
  return env;
}

/** The secrets the exported manifests reference, under the names export gave them. */
function exportedSecrets(): Record<string, string> {
  const env: Record<string, string> = { CHURN_WAREHOUSE_PASSWORD: WAREHOUSE_PASSWORD };
  for (const stage of STAGES) env[`INFRA_${stage}_ADMIN_API_KEY`] = keyOf(stage);
  return env;
}

function tree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string): void => {
    for (const name of readdirSync(at).sort()) {
      const full = path.join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(path.relative(root, full).split(path.sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return files;
}

beforeAll(async () => {
  design = await startTestSimulator();
  for (const stage of STAGES) automation.set(stage, await startTestSimulator({ adminKey: keyOf(stage) }));
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-export-deployer-'));
  cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
  cpSync(DEPLOYER, path.join(dir, 'd'), { recursive: true });
  const applied = await cli(['apply', '-f', 'm', '-f', 'd', '--auto-approve'], exampleEnv());
  expect(applied.code, applied.out).toBe(0);
});

afterAll(async () => {
  await Promise.all([design.close(), ...[...automation.values()].map((s) => s.close())]);
  rmSync(dir, { recursive: true, force: true });
});

describe('export --deployer', () => {
  it('exports the deployer objects without a key, and the result plans no changes', async () => {
    const exported = await cli(['export', '--all-projects', '--deployer', '--out', 'live'], {});
    expect(exported.code, exported.out).toBe(0);
    expect(exported.out).toContain('1 PublishedProject, 3 Infra, 3 Deployment');
    const files = tree(path.join(dir, 'live'));
    const deployerFiles = [...files.keys()].filter((f) => f.startsWith('deployer/'));
    expect(deployerFiles).toEqual([
      'deployer/deployments/churn-dev.yaml',
      'deployer/deployments/churn-prod.yaml',
      'deployer/deployments/churn-test.yaml',
      'deployer/infras/dev.yaml',
      'deployer/infras/prod.yaml',
      'deployer/infras/test.yaml',
      'deployer/published-projects/CHURN.yaml',
    ]);
    const everything = [...files.values()].join('\n') + exported.out;
    for (const stage of STAGES) expect(everything).not.toContain(keyOf(stage));
    expect(everything).not.toContain(WAREHOUSE_PASSWORD);

    expect(parse(files.get('deployer/deployments/churn-prod.yaml') ?? '').spec).toEqual({
      publishedProjectKey: 'CHURN',
      infraId: 'prod',
      bundleId: 'v1',
      localVariables: { environment: 'production' },
      scenariosToActivate: { DAILY_REFRESH: true },
      tags: ['customer-facing'],
    });
    expect(parse(files.get('deployer/infras/prod.yaml') ?? '').spec).toEqual({
      stage: 'Production',
      automationNodeUrl: automation.get('PROD')?.url,
      adminApiKey: '${secret:INFRA_PROD_ADMIN_API_KEY}',
      permissions: [{ group: 'ops', read: true, deploy: true, admin: true }],
    });
    expect(parse(files.get('dss-gitops.yaml') ?? '').external).toEqual(['Bundle/CHURN/v1', 'Bundle/CHURN/v2']);
    expect(files.get('SECRETS.md')).toContain('`INFRA_DEV_ADMIN_API_KEY`');

    const validated = await cli(['validate', '-f', 'live'], exportedSecrets());
    expect(validated.code, validated.out).toBe(0);

    design.reset({ stats: true, state: false });
    const planned = await cli(['plan', '-f', 'live', '--detailed-exitcode'], exportedSecrets());
    expect(planned.out).toContain('No changes.');
    expect(planned.code).toBe(0);
    expect(design.stats().writes).toBe(0);
  });

  it('exports only the deployer objects of the projects asked for', async () => {
    const exported = await cli(['export', '--project', 'FINANCE_REPORTING', '--deployer', '--out', 'finance'], {});
    expect(exported.code, exported.out).toBe(0);
    expect([...tree(path.join(dir, 'finance')).keys()].some((f) => f.startsWith('deployer/'))).toBe(false);
    expect(exported.out).not.toContain('Infra');
  });
});
