// Secrets set in DSS under secret-looking variable names, which the manifests do not declare: the plan removes
// them (variables are exact) and no output shows their value.

import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');
const SECRET = 'Hunter2-REAL';

let sim: TestSimulator;
let dir: string;

async function cli(argv: string[]): Promise<CliResult> {
  return runCliCaptured(argv, {
    env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: 'never-printed' },
    cwd: dir,
  });
}

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-secret-'));
  cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
  expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
  const vars = await sim.ok<{ standard: Record<string, unknown> }>('GET', '/projects/CHURN/variables/');
  await sim.ok('PUT', '/projects/CHURN/variables/', { ...vars, standard: { ...vars.standard, snowflakePassword: SECRET } });
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a secret-named variable removed by the plan', () => {
  it('is masked in every plan output and in the plan file', async () => {
    for (const output of ['text', 'markdown', 'json']) {
      const result = await cli(['plan', '-f', 'm', '--output', output]);
      expect(result.stdout).toContain('snowflakePassword');
      expect(result.stdout + result.stderr, output).not.toContain(SECRET);
    }
    const saved = await cli(['plan', '-f', 'm', '--out', path.join(dir, 'plan.json')]);
    expect(saved.code).toBe(0);
    expect(readFileSync(path.join(dir, 'plan.json'), 'utf8')).not.toContain(SECRET);
  });

  it('is masked in every drift output', async () => {
    for (const output of ['text', 'markdown', 'json']) {
      const result = await cli(['drift', '-f', 'm', '--output', output]);
      expect(result.code).toBe(2);
      expect(result.stdout).toContain('snowflakePassword');
      expect(result.stdout + result.stderr, output).not.toContain(SECRET);
    }
  });
});
