// Snapshots of the plan of the example as people read it: text (terminal, CI logs) and markdown (PR comments).

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

let sim: TestSimulator;
let dir: string;

async function stdoutOf(argv: string[]): Promise<string> {
  const { stdout } = await runCliCaptured(argv, {
    env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: 'snapshot-secret' },
    cwd: dir,
  });
  return stdout;
}

beforeAll(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-snap-'));
  cpSync(path.resolve(import.meta.dirname, '../../manifests-example'), path.join(dir, 'm'), { recursive: true });
});

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

it('renders the plan of the example from an empty DSS', async () => {
  expect(await stdoutOf(['plan', '-f', 'm'])).toMatchSnapshot('text');
  expect(await stdoutOf(['plan', '-f', 'm', '--output', 'markdown'])).toMatchSnapshot('markdown');
});

it('renders the plan after hand edits in DSS', async () => {
  expect(await stdoutOf(['apply', '-f', 'm', '--auto-approve'])).toContain('Apply complete! Resources: 20 added, 0 changed, 0 destroyed.');
  // DESIGN §7: right after the apply, the plan is empty and sends no write.
  sim.reset({ stats: true, state: false });
  expect(await stdoutOf(['plan', '-f', 'm'])).toContain('No changes. DSS matches the manifests.');
  expect(sim.stats().writes).toBe(0);
  const variables = await sim.ok<{ standard: Record<string, unknown> }>('GET', '/projects/CHURN/variables/');
  await sim.ok('PUT', '/projects/CHURN/variables/', {
    ...variables,
    standard: { ...variables.standard, scoreThreshold: 0.85, warehousePassword: 'changed-by-hand' },
  });
  const text = await stdoutOf(['plan', '-f', 'm']);
  expect(text).not.toContain('changed-by-hand');
  expect(text).toMatchSnapshot('text');
  expect(await stdoutOf(['plan', '-f', 'm', '--output', 'markdown'])).toMatchSnapshot('markdown');
});
