// --target of a deployment on a fresh Project Deployer: what it is only ordered after (its bundle, published project,
// infra) comes along when it does not exist yet, as Terraform includes a target's dependencies.

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');
const DEPLOYER = path.resolve(import.meta.dirname, '../../manifests-example-deployer');
const STAGES = ['DEV', 'TEST', 'PROD'] as const;
const keyOf = (stage: string) => `${stage.toLowerCase()}-automation-key-never-printed`;

let design: TestSimulator;
const automation = new Map<string, TestSimulator>();
let dir: string;

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (out += c.toString()));
  const env: Record<string, string> = { DSS_URL: design.url, DSS_API_KEY: design.adminKey, WAREHOUSE_PASSWORD: 'example-only' };
  for (const stage of STAGES) {
    env[`${stage}_AUTOMATION_URL`] = automation.get(stage)!.url;
    env[`${stage}_AUTOMATION_API_KEY`] = keyOf(stage);
  }
  const code = await runCli(argv, { stdout, stderr, env, cwd: dir, stdinIsTTY: false });
  for (const stage of STAGES) expect(out).not.toContain(keyOf(stage));
  return { code, out };
}

const both = ['-f', 'm', '-f', 'd'];

beforeAll(async () => {
  design = await startTestSimulator();
  for (const stage of STAGES) automation.set(stage, await startTestSimulator({ adminKey: keyOf(stage) }));
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-example-deployer-'));
  cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
  cpSync(DEPLOYER, path.join(dir, 'd'), { recursive: true });
});
afterAll(async () => {
  await Promise.all([design.close(), ...[...automation.values()].map((s) => s.close())]);
  rmSync(dir, { recursive: true, force: true });
});

describe('--target on a fresh deployer', () => {
  it('brings along the prerequisites a deployment is ordered after when they do not exist yet, and says so', async () => {
    const planned = await cli('plan', ...both, '--target', 'Deployment/churn-dev');
    expect(planned.code).toBe(0);
    expect(planned.out).toContain('--target also covers');
    expect(planned.out).toContain('+ create Bundle/CHURN/v2');
    expect(planned.out).toContain('+ create PublishedProject/CHURN');
    expect(planned.out).not.toContain('Deployment/churn-prod');

    const applied = await cli('apply', ...both, '--target', 'Deployment/churn-dev', '--auto-approve');
    expect(applied.code).toBe(0);
    expect(applied.out).not.toContain('not found');
    const status = await design.ok<{ health: string }>('GET', '/project-deployer/deployments/churn-dev/status');
    expect(status.health).toBe('HEALTHY');

    // Once they exist, the target alone is selected again.
    const again = await cli('plan', ...both, '--target', 'Deployment/churn-dev');
    expect(again.out).not.toContain('--target also covers');
    expect(again.out).toContain('No changes.');
  });
});
