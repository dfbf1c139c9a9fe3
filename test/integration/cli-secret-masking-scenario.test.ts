// A scenario reporter applied with a secret (`authToken: ${secret:SLACK_TOKEN}`), then removed from the manifest:
// the plan shows the removed reporter field by field, and the token under its secret-looking name is masked in
// every output, the plan file and drift.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');
const TOKEN = 'xoxb-SUPERSECRET-123';
const SCENARIO = 'm/projects/CHURN/scenario-retrain-weekly.yaml';

let sim: TestSimulator;
let dir: string;

async function cli(argv: string[]): Promise<CliResult> {
  return runCliCaptured(argv, {
    env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: 'never-printed', SLACK_TOKEN: TOKEN },
    cwd: dir,
  });
}

function edit(file: string, from: string, to: string): void {
  const full = path.join(dir, file);
  const text = readFileSync(full, 'utf8');
  expect(text).toContain(from);
  writeFileSync(full, text.replace(from, to));
}

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-secret-scenario-'));
  cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
  edit(SCENARIO, '          channel: "#churn-model"\n', '          channel: "#churn-model"\n          authToken: ${secret:SLACK_TOKEN}\n');
  expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
  const live = await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/scenarios/RETRAIN_WEEKLY');
  expect(JSON.stringify(live)).toContain(TOKEN);
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a reporter holding a secret, removed from the manifest', () => {
  it('is shown without its token in every plan output, the plan file and drift', async () => {
    const text = readFileSync(path.join(dir, SCENARIO), 'utf8');
    const start = text.indexOf('  reporters:\n');
    expect(start).toBeGreaterThan(0);
    writeFileSync(path.join(dir, SCENARIO), `${text.slice(0, start)}  reporters: []\n`);
    for (const output of ['text', 'markdown', 'json']) {
      const result = await cli(['plan', '-f', 'm', '--output', output]);
      expect(result.code, output).toBe(0);
      expect(result.stdout, output).toContain('authToken');
      expect(result.stdout, output).toContain('#churn-model');
      expect(result.stdout + result.stderr, output).not.toContain('SUPERSECRET');
    }
    expect((await cli(['plan', '-f', 'm', '--out', path.join(dir, 'plan.json')])).code).toBe(0);
    expect(readFileSync(path.join(dir, 'plan.json'), 'utf8')).not.toContain('SUPERSECRET');
    for (const output of ['text', 'json']) {
      const result = await cli(['drift', '-f', 'm', '--output', output]);
      expect(result.stdout + result.stderr, output).not.toContain('SUPERSECRET');
    }
  });
});
