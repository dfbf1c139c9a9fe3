// Fault soak: a generated tree of 50 projects with 5 scenarios each, applied against a simulator that fails a few
// percent of every kind of request (500/502/503 on reads and writes, answers lost after writes, connections
// reset before handling, 429), converges within 3 runs to the state a fault-free run makes, with no duplicate.
// The faults are drawn from a seed, so a failing run replays.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/simulator/faults.js';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { comparable, SCENARIOS, seeded, writeTree } from '../helpers/soak.js';

const PROJECTS = 50;
// SOAK_SEED=N replays another draw of the faults.
const SEED = Number(process.env.SOAK_SEED ?? 424242);
const MAX_RUNS = 3;

const FAULTS: FaultRule[] = [
  { kind: 'status', status: [500, 502, 503], rate: 0.03 },
  { kind: 'lost-response', method: 'POST', rate: 0.03 },
  { kind: 'lost-response', method: 'PUT', rate: 0.03 },
  { kind: 'reset-before', rate: 0.03 },
  { kind: 'throttle', retryAfterSeconds: 0, rate: 0.02 },
];

let dir: string;
let reference: TestSimulator;
let faulty: TestSimulator;

const env = (sim: TestSimulator): NodeJS.ProcessEnv => ({ DSS_URL: sim.url, DSS_API_KEY: sim.adminKey });
const apply = (sim: TestSimulator): Promise<CliResult> =>
  runCliCaptured(['apply', '-f', 'tree', '--auto-approve'], { env: env(sim), cwd: dir });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-soak-'));
  writeTree(path.join(dir, 'tree'), PROJECTS);
  reference = await startTestSimulator();
  faulty = await startTestSimulator({ random: seeded(SEED) });
});

afterAll(async () => {
  await Promise.all([reference?.close(), faulty?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('apply under faults', () => {
  it(`converges within ${MAX_RUNS} runs to the state of a fault-free run, with no duplicate`, async () => {
    const clean = await apply(reference);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);

    faulty.setFaults(FAULTS);
    const runs: Array<{ code: number; failed: string[] }> = [];
    for (let run = 1; run <= MAX_RUNS; run++) {
      const result = await apply(faulty);
      runs.push({ code: result.code, failed: result.stdout.split('\n').filter((l) => / failed: /.test(l)) });
      if (result.code === 0) break;
    }
    const stats = faulty.stats();
    faulty.setFaults([]);
    // The numbers of the soak, for whoever reads the test output.
    process.stdout.write(
      `fault soak (seed ${SEED}): ${runs.length} run(s) to converge; ${stats.total} requests; faults ${JSON.stringify(stats.faults)}; ` +
        `failures per run ${JSON.stringify(runs.map((r) => r.failed.length))}\n`,
    );
    expect(runs.at(-1)).toEqual({ code: 0, failed: [] });
    expect(Object.values(stats.faults ?? {}).reduce((a, b) => a + b, 0)).toBeGreaterThan(50);

    const after = await runCliCaptured(['plan', '-f', 'tree', '--detailed-exitcode'], { env: env(faulty), cwd: dir });
    expect(after.stdout).toContain('No changes.');
    expect(after.code).toBe(0);

    const got = comparable(faulty.state());
    const want = comparable(reference.state());
    expect(Object.keys(got.projects as object)).toHaveLength(PROJECTS);
    for (const project of Object.values(faulty.state().design.projects)) expect(Object.keys(project.scenarios)).toHaveLength(SCENARIOS);
    // No folder made twice: one per path.
    const paths = (got.tree as Array<{ path: string }>).map((f) => f.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(got).toEqual(want);
  }, 240_000);
});
