// No lost updates: a change made in DSS between plan and apply (here while the terminal waits for `yes`), to a
// field the manifests do not manage, survives the apply, also when DSS refuses a save as concurrent.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo, runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');

let sim: TestSimulator;
let dir: string;
const env = (): NodeJS.ProcessEnv => ({ DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: 'not-printed' });

const cli = (argv: string[]): Promise<CliResult> => runCliCaptured(argv, { env: env(), cwd: dir });

/** `apply` on a terminal, running `meanwhile` while the prompt waits, then answering yes. */
async function applyAnsweringAfter(meanwhile: () => Promise<void>): Promise<{ code: number; out: string }> {
  const { io, stdout, stderr } = captureIo(env(), dir);
  const code = await runCli(['apply', '-f', 'm'], {
    ...io,
    stdinIsTTY: true,
    readLine: async () => {
      await meanwhile();
      return 'yes';
    },
  });
  return { code, out: stdout() + stderr() };
}

function edit(file: string, from: string, to: string): void {
  const full = path.join(dir, 'm', file);
  const text = readFileSync(full, 'utf8');
  expect(text).toContain(from);
  writeFileSync(full, text.replace(from, to));
}

/** Changes, by hand in DSS, fields of the project metadata and of a scenario that no manifest declares. */
async function changeUnmanagedFields(): Promise<void> {
  const metadata = await sim.ok<{ custom: { kv: Record<string, unknown> } }>('GET', '/projects/CHURN/metadata');
  await sim.ok('PUT', '/projects/CHURN/metadata', {
    ...metadata,
    custom: { ...metadata.custom, kv: { ...metadata.custom.kv, reviewedBy: 'ops-team' } },
    checklists: { checklists: [{ title: 'added by hand' }] },
  });
  const scenario = await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH');
  await sim.ok('PUT', '/projects/CHURN/scenarios/DAILY_REFRESH', { ...scenario, customFields: { reviewedBy: 'ops-team' } });
}

async function expectUnmanagedFieldsKept(): Promise<void> {
  const metadata = await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/metadata');
  expect(metadata).toMatchObject({
    shortDesc: 'Nightly churn scores, reviewed',
    custom: { kv: { reviewedBy: 'ops-team', team: 'data-science' } },
    checklists: { checklists: [{ title: 'added by hand' }] },
  });
  const scenario = await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH');
  expect(scenario).toMatchObject({ description: 'Rebuilds and checks the scores.', customFields: { reviewedBy: 'ops-team' } });
}

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-concurrent-'));
  cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
  expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
  edit('projects/CHURN/project.yaml', 'shortDesc: Nightly churn scores for the retention team', 'shortDesc: Nightly churn scores, reviewed');
  edit(
    'projects/CHURN/scenario-daily-refresh.yaml',
    'description: Rebuilds the features and the scores, checks them, then publishes them.',
    'description: Rebuilds and checks the scores.',
  );
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a change made in DSS between plan and apply', () => {
  it('survives when it happens while the prompt waits for yes', async () => {
    const applied = await applyAnsweringAfter(changeUnmanagedFields);
    expect(applied.out).toContain('Plan: 0 to add, 2 to change, 0 to destroy.');
    expect(applied.code).toBe(0);
    await expectUnmanagedFieldsKept();
    const again = await cli(['plan', '-f', 'm', '--detailed-exitcode']);
    expect(again.code).toBe(0);
  });

  it('survives a save DSS refuses as concurrent: the write is read and merged again', async () => {
    // A conflict on the first save of the scenario, as DSS answers a PUT whose versionTag is no longer current.
    const applied = await applyAnsweringAfter(async () => {
      await changeUnmanagedFields();
      sim.reset({ stats: true, state: false });
      sim.addFault({ kind: 'status', status: 409, method: 'PUT', route: '/projects/:projectKey/scenarios/:scenarioId', times: 1 });
    });
    expect(applied.code).toBe(0);
    expect(sim.stats().faults).toEqual({ 'status 409': 1 });
    expect(sim.stats().byRoute['PUT /projects/:projectKey/scenarios/:scenarioId']).toBe(2);
    expect(sim.stats().byRoute['GET /projects/:projectKey/scenarios/:scenarioId']).toBe(2);
    await expectUnmanagedFieldsKept();
  });
});
