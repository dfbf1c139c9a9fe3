// Progress on a terminal goes to stderr: plan and drift show how many objects were read of how many, on one line
// rewritten in place and erased at the end; apply prints a line per object it writes, not per object it checks.
// stdout is the same byte for byte as when piped, and nothing is shown when stderr is not a terminal.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../helpers/cli.js';
import { writeProjectFiles } from '../helpers/manifest-tree.js';
import { startTestSimulator, TEST_ADMIN_KEY, type TestSimulator } from '../helpers/simulator.js';

let sim: TestSimulator;
let work: string;
let env: NodeJS.ProcessEnv;
/** Objects a plan of the tree reads: 2 projects × (the project, its metadata, variables, permissions), 2 × 3 scenarios. */
const OBJECTS = 14;

beforeAll(async () => {
  sim = await startTestSimulator();
  work = mkdtempSync(path.join(tmpdir(), 'dss-gitops-progress-'));
  writeProjectFiles(path.join(work, 'm'), [0, 1].map((index) => ({ key: `PROGRESS_${index}`, index, scenarios: 3 })));
  env = { DSS_URL: sim.url, DSS_API_KEY: TEST_ADMIN_KEY };
  expect((await run(['apply', '--auto-approve', '-f', 'm'], false)).code).toBe(0);
});

afterAll(async () => {
  await sim.close();
  rmSync(work, { recursive: true, force: true });
});

async function run(argv: string[], terminal: boolean, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const captured = captureIo({ ...env, ...extraEnv }, work);
  if (terminal) Object.assign(captured.io.stderr, { isTTY: true });
  const code = await runCli(argv, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('progress on a terminal', () => {
  it('plan shows the objects read of the total on one line, erased at the end, and prints the same stdout', async () => {
    const piped = await run(['plan', '-f', 'm'], false);
    const shown = await run(['plan', '-f', 'm'], true);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(piped.stdout);
    expect(piped.stderr).not.toContain('Reading DSS');
    expect(shown.stderr).toMatch(new RegExp(`^\\rReading DSS: 1 of ${OBJECTS} objects`));
    // The line is overwritten with spaces and the cursor left at its start: what follows prints over it.
    expect(shown.stderr).toMatch(/\r {10,}\r$/);
    expect(shown.stderr).not.toContain('\n');
  });

  it('drift shows the same progress', async () => {
    const shown = await run(['drift', '-f', 'm'], true);
    expect(shown.stderr).toMatch(new RegExp(`^\\rReading DSS: 1 of ${OBJECTS} objects`));
  });

  it('shows no progress line under TERM=dumb, which cannot rewrite a line', async () => {
    const shown = await run(['plan', '-f', 'm'], true, { TERM: 'dumb' });
    expect(shown.code).toBe(0);
    expect(shown.stderr).not.toContain('Reading DSS');
  });

  it('apply prints a line for the object it writes, none for the objects it only checked', async () => {
    const file = path.join(work, 'm', 'progress_1.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('description: Step 2', 'description: Step two'));
    const shown = await run(['apply', '--auto-approve', '-f', 'm'], true);
    expect(shown.code).toBe(0);
    const lines = shown.stderr.split(/[\r\n]/).filter((l) => l.endsWith(': done'));
    expect(lines).toEqual(['Scenario/PROGRESS_1/SCENARIO_2: done']);
  });
});
